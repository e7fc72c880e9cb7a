"""The editorial content of the space: news, documentation, help.

Each news item and document has a scope ("Portée"): national (no caisse) or
one caisse. Two rules, both here:
- who reads what (`concerning`): an establishment (its account, its
  representatives) and a préventeur read the national content and their
  caisse's; the national team reads everything. News items of another caisse
  stay readable on purpose, through "Filtrer par région"; documents do not.
- who writes what (`may_write`): the national team anything, a préventeur
  their own caisse's content only.
"""

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import done_by

from .formatting import clean_html

IMAGE_TYPES = {"image/jpeg", "image/png"}

# The type of a file as a person names it ("PDF – 1,2 Mo").
TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "Texte OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "Classeur OpenDocument",
    "application/vnd.oasis.opendocument.presentation": "Présentation OpenDocument",
    "text/csv": "CSV",
    "text/plain": "Texte",
    "image/jpeg": "Image JPEG",
    "image/png": "Image PNG",
}


def type_label(content_type: str, filename: str = "") -> str:
    return TYPE_LABELS.get(content_type) or PurePosixPath(filename).suffix.lstrip(".").upper()


def news_storage_name(instance, filename):
    """Stored under a generated name; the original name is only displayed."""
    return f"news/{uuid.uuid4().hex}"


def documentation_storage_name(instance, filename):
    return f"documentation/{uuid.uuid4().hex}"


def reader_caisse_id(request) -> int | None:
    """The caisse of whoever reads: the establishment's, or a préventeur's own."""
    establishment = getattr(request, "establishment", None)
    if establishment is not None:
        return establishment.caisse_id
    user = request.user
    if user.is_authenticated and user.is_preventeur:
        return user.caisse_id
    return None


def concerning(request) -> Q:
    """The one reading rule: national content and the reader's caisse's.

    The national team (not acting for an establishment) reads everything.
    """
    user = request.user
    if (
        getattr(request, "establishment", None) is None
        and user.is_authenticated
        and user.is_national
    ):
        return Q()
    caisse_id = reader_caisse_id(request)
    national = Q(caisse__isnull=True)
    return national | Q(caisse_id=caisse_id) if caisse_id else national


def may_write(user, caisse_id: int | None) -> bool:
    """The one writing rule: the national team anything, a préventeur their caisse's only."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_national:
        return True
    return user.is_preventeur and caisse_id is not None and caisse_id == user.caisse_id


class ScopedQuerySet(models.QuerySet):
    def concerning(self, request):
        return self.filter(concerning(request))

    def in_admin_of(self, user):
        """What the admin lists: everything for the national team; for a préventeur
        the national content (read-only) and their caisse's."""
        if user.is_national:
            return self
        if user.is_preventeur and user.caisse_id:
            return self.filter(Q(caisse__isnull=True) | Q(caisse_id=user.caisse_id))
        return self.none()


class Scoped(models.Model):
    caisse = models.ForeignKey(
        "profiles.Caisse",
        verbose_name="Portée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="« Nationale » : pour tous les établissements ; une caisse : pour les siens.",
    )
    created_by = done_by("créé par", editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        return self.caisse.name if self.caisse_id else "Nationale"


class NewsItemQuerySet(ScopedQuerySet):
    def on_portal(self):
        """Published and due: a draft or a future date never reaches the portal."""
        return self.filter(is_published=True, published_at__lte=timezone.now())


class NewsItem(Scoped):
    title = models.CharField("Titre", max_length=200)
    summary = models.TextField(
        "Résumé", max_length=600, help_text="Quelques lignes, affichées sur la carte."
    )
    body = models.TextField(
        "Contenu",
        help_text=(
            "Texte simple (une ligne vide sépare les paragraphes) ou HTML simple : "
            "paragraphes (p), listes (ul, ol, li), gras (strong), italique (em), "
            "liens (a href). Le reste est retiré."
        ),
    )
    published_at = models.DateTimeField(
        "Date de publication",
        default=timezone.now,
        db_index=True,
        help_text="Une date à venir garde l'actualité cachée jusqu'à ce moment.",
    )
    is_published = models.BooleanField(
        "Publiée",
        default=False,
        help_text="Décochée : un brouillon, jamais affiché sur le portail.",
    )
    image = models.FileField(
        "Image", upload_to=news_storage_name, max_length=255, blank=True, help_text="JPEG ou PNG."
    )
    image_type = models.CharField(max_length=40, blank=True, editable=False)
    image_alt = models.CharField(
        "Texte alternatif de l'image",
        max_length=250,
        blank=True,
        help_text="Ce que montre l'image, pour qui ne la voit pas (obligatoire avec une image).",
    )
    document = models.FileField(
        "Document joint", upload_to=news_storage_name, max_length=255, blank=True
    )
    document_name = models.CharField(max_length=255, blank=True, editable=False)
    document_type = models.CharField(max_length=120, blank=True, editable=False)
    document_size = models.PositiveBigIntegerField(default=0, editable=False)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = "actualité"
        verbose_name_plural = "actualités"
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="news_image_has_alternative_text"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_html(self.body)
        if not self.image:
            self.image_type = ""
        if not self.document:
            self.document_name, self.document_type, self.document_size = "", "", 0
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.pk])

    @property
    def is_on_portal(self) -> bool:
        return self.is_published and self.published_at <= timezone.now()

    @property
    def document_type_label(self) -> str:
        return type_label(self.document_type, self.document_name)


class Document(Scoped):
    """A document offered in "Documentation": a guide, a tool, a press kit."""

    class Category(models.TextChoices):
        GUIDE = "guide", "Guides et tutoriels"
        TOOL = "tool", "Outils (tableaux de bord, quiz)"
        PRESS = "press", "Dossiers de presse"
        OTHER = "other", "Autres documents"

    title = models.CharField("Titre", max_length=200)
    description = models.TextField("Description", blank=True)
    category = models.CharField("Catégorie", max_length=20, choices=Category)
    file = models.FileField("Fichier", upload_to=documentation_storage_name, max_length=255)
    filename = models.CharField("nom du fichier", max_length=255, editable=False)
    content_type = models.CharField("type", max_length=120, editable=False)
    size = models.PositiveBigIntegerField("taille", default=0, editable=False)
    date = models.DateField("Date", default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documentation"
        ordering = ["-date", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def type_label(self) -> str:
        return type_label(self.content_type, self.filename)


class HelpTheme(models.Model):
    """A theme of "Besoin d'aide" (connexion, mot de passe, profil…)."""

    title = models.CharField("Thème", max_length=120)
    order = models.PositiveSmallIntegerField("Ordre", default=0)

    class Meta:
        verbose_name = "thème de l'aide"
        verbose_name_plural = "aide : thèmes et questions"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class HelpQuestion(models.Model):
    theme = models.ForeignKey(
        HelpTheme, verbose_name="Thème", on_delete=models.CASCADE, related_name="questions"
    )
    question = models.CharField("Question", max_length=255)
    answer = models.TextField("Réponse", help_text=NewsItem._meta.get_field("body").help_text)
    order = models.PositiveSmallIntegerField("Ordre", default=0)

    class Meta:
        verbose_name = "question/réponse"
        verbose_name_plural = "questions/réponses"
        ordering = ["theme__order", "theme_id", "order", "pk"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.answer = clean_html(self.answer)
        super().save(*args, **kwargs)
