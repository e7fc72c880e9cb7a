from decimal import Decimal, InvalidOperation

from django import forms

from .models import Comment, Question

YES_NO_CHOICES = [("oui", "Oui"), ("non", "Non")]
COMMENT_MAX_LENGTH = 5000


def _yes_no(value):
    return {"oui": True, "non": False}.get(value)


class FrenchDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def field_for(question: Question) -> forms.Field | None:
    """The form field answering `question` (None for a documents-only question).

    Every field is optional: a step can be saved half-filled. Whether the
    required questions are answered decides the step's state, not validity.
    """
    common = {"label": question.text, "required": False}
    match question.kind:
        case Question.Kind.YES_NO:
            return forms.TypedChoiceField(
                choices=YES_NO_CHOICES,
                coerce=_yes_no,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Répondez par oui ou par non."},
                **common,
            )
        case Question.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choisissez une des réponses proposées."},
                **common,
            )
        case Question.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": "« %(value)s » ne fait pas partie des réponses proposées."
                },
                **common,
            )
        case Question.Kind.SHORT_TEXT:
            return forms.CharField(
                max_length=255,
                error_messages={
                    "max_length": "Cette réponse est trop longue (%(limit_value)d caractères "
                    "au plus, vous en avez saisi %(show_value)d)."
                },
                **common,
            )
        case Question.Kind.LONG_TEXT:
            return forms.CharField(
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": "Cette réponse est trop longue (%(limit_value)d caractères "
                    "au plus, vous en avez saisi %(show_value)d)."
                },
                **common,
            )
        case Question.Kind.NUMBER:
            return forms.DecimalField(
                max_digits=12,
                decimal_places=2,
                min_value=0,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                error_messages={
                    "invalid": "Saisissez un nombre, par exemple 12 ou 12,5.",
                    "min_value": "Saisissez un nombre positif ou nul.",
                    "max_digits": "Ce nombre est trop grand.",
                    "max_whole_digits": "Ce nombre est trop grand.",
                    "max_decimal_places": "Deux chiffres après la virgule au plus.",
                },
                **common,
            )
        case Question.Kind.DATE:
            return forms.DateField(
                widget=FrenchDateInput,
                error_messages={"invalid": "Saisissez une date valide, par exemple 16/09/2020."},
                **common,
            )
    return None


def to_json(question: Question, value):
    """A cleaned value as stored in Answer.value (JSON)."""
    if value in (None, "", []):
        return None
    if question.kind == Question.Kind.NUMBER:
        value = Decimal(value).normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    if question.kind == Question.Kind.DATE:
        return value.isoformat()
    if question.kind in (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT):
        return value.strip() or None
    return value


def to_initial(question: Question, value):
    """A stored value as the form field shows it."""
    if value is None:
        return None
    if question.kind == Question.Kind.YES_NO:
        return {True: "oui", False: "non"}.get(value)
    if question.kind == Question.Kind.NUMBER:
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None  # the question changed kind: the old answer is not a number
    return value


def display_value(question: Question, value) -> str:
    """A stored value in words (conflict view, export)."""
    if value in (None, "", []):
        return ""
    if question.kind == Question.Kind.YES_NO:
        return {True: "Oui", False: "Non"}.get(value, str(value))
    if question.kind == Question.Kind.MULTIPLE_CHOICE and isinstance(value, list):
        return " ; ".join(str(v) for v in value)
    if question.kind == Question.Kind.DATE and isinstance(value, str) and len(value) == 10:
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if question.kind == Question.Kind.NUMBER:
        return str(value).replace(".", ",")
    return str(value)


def _style(field) -> None:
    """Bootstrap classes on the inputs (the template renders them one by one)."""
    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        field.widget.attrs["class"] = "form-check-input"
    else:
        field.widget.attrs["class"] = "form-control"


class StepForm(forms.Form):
    """The whole step: one field per active question, one comment per block.

    Only the step's own questions become fields, so a posted key naming
    another question (another step's, or a guessed id) is simply ignored.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, step_data, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_data = step_data
        self.fields["version"].initial = step_data.progress.version
        for question in step_data.questions:
            field = field_for(question)
            if field is None:
                continue
            answer = step_data.answers.get(question.pk)
            field.initial = to_initial(question, answer.value if answer else None)
            _style(field)
            self.fields[self.question_field_name(question)] = field
        for block in step_data.blocks:
            current = step_data.comments.get((block.pk, Comment.Voice.ESTABLISHMENT))
            self.fields[self.comment_field_name(block)] = forms.CharField(
                label=Comment.Voice.ESTABLISHMENT.label,
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                initial=current.text if current else "",
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                error_messages={
                    "max_length": "Ce commentaire est trop long (%(limit_value)d caractères "
                    "au plus)."
                },
            )
        self.hook_errors = {}

    @staticmethod
    def question_field_name(question) -> str:
        return f"q_{question.pk}"

    @staticmethod
    def comment_field_name(block) -> str:
        return f"comment_{block.pk}"

    def clean(self):
        cleaned = super().clean()
        for question in self.step_data.questions:
            name = self.question_field_name(question)
            if name in cleaned:
                cleaned[name] = to_json(question, cleaned[name])
        for block in self.step_data.blocks:
            name = self.comment_field_name(block)
            if name in cleaned:
                cleaned[name] = (cleaned[name] or "").strip()
        return cleaned

    def add_hook_errors(self, error) -> None:
        """Errors raised by the attachments hook, placed next to their question."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            if name in self.fields:
                self.add_error(name, errors)
            else:
                self.hook_errors.setdefault(name, []).extend(
                    message for e in errors for message in e.messages
                )
