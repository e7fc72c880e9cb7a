import uuid

from django.conf import settings
from django.db import models


def attachment_storage_name(instance, filename):
    """Stored under a generated name; the original name is only displayed."""
    return f"attachments/{instance.establishment_id}/{uuid.uuid4().hex}"


def template_storage_name(instance, filename):
    return f"templates/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A document an establishment deposited on a question."""

    establishment = models.ForeignKey(
        "profiles.Establishment", on_delete=models.CASCADE, related_name="attachments"
    )
    question = models.ForeignKey(
        "parcours.Question", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("fichier", upload_to=attachment_storage_name, max_length=255)
    original_name = models.CharField("pièce jointe", max_length=255)
    description = models.CharField("description", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("taille")
    content_type = models.CharField("type", max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("date de dépôt", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name


class QuestionTemplate(models.Model):
    """A document the national team offers on a question (blank form, example, quiz)."""

    question = models.ForeignKey(
        "parcours.Question", on_delete=models.CASCADE, related_name="templates"
    )
    label = models.CharField(
        "libellé", max_length=120, help_text="Par exemple : Télécharger et compléter la trame"
    )
    file = models.FileField("fichier", upload_to=template_storage_name, max_length=255)
    filename = models.CharField("nom du fichier", max_length=255)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "modèle à télécharger"
        verbose_name_plural = "modèles à télécharger"
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.label} {self.filename}"
