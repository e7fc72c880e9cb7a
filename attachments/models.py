import uuid

from django.db import models
from django.utils import timezone

from accounts.models import done_by


def attachment_storage_name(instance, filename):
    """Stored under a generated name; the original name is only displayed."""
    return f"attachments/{instance.establishment_id}/{uuid.uuid4().hex}"


def pending_storage_name(instance, filename):
    """Under attachments/, so that the orphan sweep finds a file whose row is gone."""
    return f"attachments/pending/{instance.establishment_id}/{uuid.uuid4().hex}"


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
    uploaded_by = done_by("déposé par", blank=False)
    uploaded_at = models.DateTimeField("date de dépôt", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name


class PendingUpload(models.Model):
    """A checked file of a step form refused for another reason (an invalid answer).

    Kept for that establishment and question, shown "prêt à être enregistré",
    stored as a document when the form is then saved; otherwise discarded
    after services.PENDING_UPLOAD_LIFETIME by the orphan files' sweep.
    """

    establishment = models.ForeignKey(
        "profiles.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey("parcours.Question", on_delete=models.CASCADE, related_name="+")
    file = models.FileField("fichier", upload_to=pending_storage_name, max_length=255)
    original_name = models.CharField("pièce jointe", max_length=255)
    size = models.PositiveBigIntegerField("taille")
    content_type = models.CharField("type", max_length=120)
    created_at = models.DateTimeField("gardé le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "fichier en attente d'enregistrement"
        verbose_name_plural = "fichiers en attente d'enregistrement"
        ordering = ["created_at", "pk"]

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
