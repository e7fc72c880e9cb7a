from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import done_by

from . import kinds


class Step(models.Model):
    """One of the four steps of the programme."""

    number = models.PositiveSmallIntegerField("numéro", unique=True)
    short_title = models.CharField("titre court", max_length=120)
    question = models.CharField("question de l'étape", max_length=255)
    introduction = models.TextField("introduction", blank=True)

    class Meta:
        verbose_name = "étape"
        verbose_name_plural = "étapes"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.short_title}"

    def get_absolute_url(self):
        return reverse("parcours:step", args=[self.number])


class Block(models.Model):
    """A group of questions of a step; the three voices comment on a block."""

    step = models.ForeignKey(
        Step, verbose_name="étape", on_delete=models.CASCADE, related_name="blocks"
    )
    code = models.CharField("code", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("titre", max_length=255)
    retired_at = models.DateTimeField("retiré le", null=True, blank=True)

    class Meta:
        verbose_name = "bloc de questions"
        verbose_name_plural = "blocs de questions"
        ordering = ["step__number", "order", "pk"]

    def __str__(self):
        return f"{self.code} – {self.title}"


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True, block__retired_at__isnull=True)


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Oui / non"
        SINGLE_CHOICE = "single_choice", "Choix unique"
        MULTIPLE_CHOICE = "multiple_choice", "Choix multiples"
        SHORT_TEXT = "short_text", "Texte court"
        LONG_TEXT = "long_text", "Texte long"
        NUMBER = "number", "Nombre"
        DATE = "date", "Date"
        DOCUMENTS = "documents", "Documents uniquement"

    class NumberKind(models.TextChoices):
        INTEGER = "integer", "Nombre entier"
        DECIMAL = "decimal", "Nombre décimal"

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)

    block = models.ForeignKey(
        Block, verbose_name="bloc", on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(
        "code", max_length=20, unique=True, help_text="Code stable, par exemple Q8."
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    text = models.TextField("question")
    guidance = models.TextField(
        "consignes",
        blank=True,
        help_text="Affichées sous la question (l'aide détaillée va dans « À propos »).",
    )
    help_text = models.TextField("À propos de cette question", blank=True)
    kind = models.CharField("type de réponse", max_length=20, choices=Kind)
    choices = models.JSONField(
        "choix proposés",
        default=list,
        blank=True,
        help_text='Une liste de {"code": "faible", "label": "Faible"}. Le code est stable '
        "(les réponses l'enregistrent) : reformulez le libellé, pas le code.",
    )
    number_kind = models.CharField(
        "type de nombre", max_length=10, choices=NumberKind, default=NumberKind.DECIMAL
    )
    min_value = models.DecimalField(
        "valeur minimale",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=0,
        help_text="Pour une question de type nombre ; vide : pas de minimum.",
    )
    max_value = models.DecimalField(
        "valeur maximale",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Pour une question de type nombre ; vide : pas de maximum.",
    )
    required = models.BooleanField("obligatoire", default=True)
    accepts_files = models.BooleanField("documents joints acceptés", default=False)
    file_label = models.CharField("libellé du dépôt de fichier", max_length=120, blank=True)
    retired_at = models.DateTimeField("retirée le", null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = "question"
        verbose_name_plural = "questions"
        ordering = ["block__step__number", "block__order", "order", "pk"]

    def __str__(self):
        return f"{self.code} – {self.text[:80]}"

    @property
    def kind_definition(self) -> kinds.QuestionKind:
        """Field, storage, display and export of this question's kind (parcours.kinds)."""
        return kinds.definition(self.kind)

    @property
    def takes_files(self) -> bool:
        """Documents may be deposited on this question."""
        return self.kind == self.Kind.DOCUMENTS or self.accepts_files

    @property
    def choice_labels(self) -> dict[str, str]:
        """{code: label} of the choices, in their order."""
        return {
            c["code"]: c.get("label", c["code"])
            for c in (self.choices if isinstance(self.choices, list) else [])
            if isinstance(c, dict) and isinstance(c.get("code"), str)
        }

    def choice_codes_in_use(self) -> set[str]:
        """The choice codes held by this question's answers (one query)."""
        return kinds.codes_in(self.answers.values_list("value", flat=True))

    def clean(self):
        super().clean()
        errors = {}
        problems = kinds.choice_errors(self.choices)
        if not problems and self.kind in self.CHOICE_KINDS and not self.choices:
            problems = ["Proposez au moins un choix."]
        if not problems and self.pk is not None:
            before = Question.objects.filter(pk=self.pk).values_list("choices", flat=True).first()
            removed = kinds.codes_of(before) - kinds.codes_of(self.choices)
            in_use = sorted(removed & self.choice_codes_in_use()) if removed else []
            if in_use:
                problems = [
                    "Des réponses enregistrent "
                    + ", ".join(f"« {code} »" for code in in_use)
                    + " : gardez ce code (seul le libellé peut être reformulé)."
                ]
        if problems:
            errors["choices"] = problems
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = (
                "La valeur maximale doit être supérieure ou égale à la valeur minimale."
            )
        if errors:
            raise ValidationError(errors)


class StepProgress(models.Model):
    """Where an establishment stands on a step."""

    class Status(models.TextChoices):
        TO_COMPLETE = "to_complete", "À compléter"
        IN_PROGRESS = "in_progress", "En cours"
        COMPLETE = "complete", "Complète"
        VALIDATED = "validated", "Validée"
        TO_CORRECT = "to_correct", "À corriger"

    establishment = models.ForeignKey(
        "profiles.Establishment", on_delete=models.CASCADE, related_name="step_progresses"
    )
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="progresses")
    status = models.CharField("état", max_length=20, choices=Status, default=Status.TO_COMPLETE)
    version = models.PositiveIntegerField("version", default=0)
    completed_at = models.DateTimeField("complète depuis le", null=True, blank=True)
    completion_count = models.PositiveIntegerField("passages à l'état complet", default=0)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = done_by("validée par")
    modified_since_validation = models.BooleanField("modifiée depuis la validation", default=False)
    validation = models.ForeignKey(
        "StepValidation",
        verbose_name="validation en cours",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_back_at = models.DateTimeField("renvoyée pour correction le", null=True, blank=True)
    sent_back_by = done_by("renvoyée par")
    sent_back_message = models.TextField("message de renvoi", blank=True)
    seen_by_representatives_at = models.DateTimeField(
        "vue par CSE / CHSCT / DP le", null=True, blank=True
    )
    seen_by_representatives = done_by("vue par")
    updated_at = models.DateTimeField("modifiée le", null=True, blank=True)
    updated_by = done_by("modifiée par")

    class Meta:
        verbose_name = "avancement d'étape"
        verbose_name_plural = "avancements d'étapes"
        # The préventeurs' decisions on a step (the "Préventeurs" group holds them).
        permissions = [
            ("validate_step", "Valider une étape"),
            ("send_back_step", "Renvoyer une étape pour correction"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "step"], name="one_progress_per_step"),
        ]

    def __str__(self):
        return f"{self.establishment} – étape {self.step.number} : {self.get_status_display()}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None

    @property
    def may_be_validated(self) -> bool:
        """Complete (every required question answered): not validated yet, or
        validated and modified since."""
        if self.completed_at is None:
            return False
        return not self.is_validated or self.modified_since_validation

    @property
    def may_be_sent_back(self) -> bool:
        return not self.is_validated and self.status != self.Status.TO_COMPLETE

    @property
    def state_label(self) -> str:
        """The state as the pages write it ("Validée — modifiée depuis" when it applies)."""
        if self.is_validated and self.modified_since_validation:
            return "Validée — modifiée depuis"
        return self.get_status_display()


class StepValidation(models.Model):
    """What a préventeur validated: the step's state at that moment (parcours.versions).

    Re-validating adds a row (the history is kept); withdrawing a validation
    keeps its row with who withdrew it, when and why.
    """

    progress = models.ForeignKey(
        StepProgress, verbose_name="étape", on_delete=models.CASCADE, related_name="validations"
    )
    validated_by = done_by("validée par", blank=False)
    validated_at = models.DateTimeField("validée le", default=timezone.now)
    state = models.JSONField("contenu validé")
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawn_by = done_by("retirée par")
    withdrawal_reason = models.TextField("motif du retrait", blank=True)

    class Meta:
        verbose_name = "validation d'étape"
        verbose_name_plural = "validations d'étapes"
        ordering = ["-validated_at", "-pk"]

    def __str__(self):
        return (
            f"{self.progress} – validée le {timezone.localtime(self.validated_at):%d/%m/%Y %H:%M}"
        )


class Answer(models.Model):
    establishment = models.ForeignKey(
        "profiles.Establishment", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField("réponse", null=True, blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.question.code} – {self.establishment}"


class Comment(models.Model):
    """One version of a voice's comment on a block; the newest is the current one."""

    class Voice(models.TextChoices):
        ESTABLISHMENT = "establishment", "Commentaires de l'établissement"
        REPRESENTATIVES = "representatives", "Commentaires CSE/CHSCT/DP"
        CAISSE = "caisse", "Commentaires de la caisse régionale"

    establishment = models.ForeignKey(
        "profiles.Establishment", on_delete=models.CASCADE, related_name="comments"
    )
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="comments")
    voice = models.CharField("voix", max_length=20, choices=Voice)
    text = models.TextField("commentaire", blank=True)
    author = done_by("auteur", blank=False)
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        verbose_name = "commentaire"
        verbose_name_plural = "commentaires"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["establishment", "block", "voice", "-created_at"]),
            # The admin's list of every comment, newest first (read backwards).
            models.Index(fields=["created_at", "id"], name="comment_created_at_id"),
        ]

    def __str__(self):
        return f"{self.get_voice_display()} – {self.block.code}"
