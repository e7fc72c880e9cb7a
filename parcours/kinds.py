"""The kinds of question, each defined in one place.

A kind says which form field answers a question, how a cleaned value is
stored in Answer.value (JSON), how a stored value comes back into the form,
how it reads in words (conflict view), whether it counts as answered, and
what the export writes in its "Réponse" cell (numbers and dates typed).

Choices are stored by code: Question.choices is a list of {"code", "label"}
and an answer holds codes, so rewording a label changes no answer. A code
that left the question's choices (retired) is still shown, as is, and kept
by the form while nobody picks another answer.

This module knows nothing of the models: a kind is found by its code, the
value of Question.Kind (`question.kind_definition`).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms

from tmspros.text import FreeTextField

EMPTY = (None, "", [])
SHORT_TEXT_MAX_LENGTH = 255
LONG_TEXT_MAX_LENGTH = 5000
# A decimal answer has at most 12 digits, 2 of them after the comma.
NUMBER_MAX_DIGITS, NUMBER_DECIMAL_PLACES = 12, 2
INTEGER_CEILING = 10 ** (NUMBER_MAX_DIGITS - NUMBER_DECIMAL_PLACES) - 1
CHOICE_CODE_RE = re.compile(r"[A-Za-z0-9_-]+")

TOO_LONG = (
    "Cette réponse est trop longue (%(limit_value)d caractères au plus, "
    "vous en avez saisi %(show_value)d)."
)
TOO_BIG = "Ce nombre est trop grand."
# A date typed in an answer: 31/12/9999 or 01/01/0001 is a slip of the keyboard.
DATE_MIN, DATE_MAX = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
DATE_OUT_OF_RANGE = "Saisissez une date entre 1900 et 2100, par exemple 16/09/2020."


def is_empty(value) -> bool:
    return value in EMPTY


def french_number(value) -> str:
    """12 -> "12", 12.5 -> "12,5", Decimal("100.00") -> "100"."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f").replace(".", ",")


class FrenchDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class QuestionKind:
    """What every kind does unless it says otherwise: a plain stored value."""

    code = ""

    def field(self, question, stored=None) -> forms.Field | None:
        """The form field answering `question`; `stored` is its current answer.

        Every field is optional: a step can be saved half-filled. Whether the
        required questions are answered decides the step's state, not validity.
        """
        raise NotImplementedError

    def to_json(self, question, cleaned):
        """A cleaned value as stored in Answer.value."""
        return None if is_empty(cleaned) else cleaned

    def to_initial(self, question, stored):
        """A stored value as the form field shows it."""
        return stored

    def display(self, question, stored) -> str:
        """A stored value in words."""
        return "" if is_empty(stored) else str(stored)

    def is_answered(self, question, stored, *, has_documents=False) -> bool:
        return not is_empty(stored)

    def export_value(self, question, stored):
        """The value of the export's cell: text unless the kind is typed."""
        return self.display(question, stored)

    @staticmethod
    def common(question) -> dict:
        return {"label": question.text, "required": False}


class YesNoKind(QuestionKind):
    code = "yes_no"
    CHOICES = [("oui", "Oui"), ("non", "Non")]

    def field(self, question, stored=None):
        return forms.TypedChoiceField(
            choices=self.CHOICES,
            coerce=lambda value: {"oui": True, "non": False}.get(value),
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Répondez par oui ou par non."},
            **self.common(question),
        )

    def to_initial(self, question, stored):
        return {True: "oui", False: "non"}.get(stored)

    def display(self, question, stored):
        if is_empty(stored):
            return ""
        return {True: "Oui", False: "Non"}.get(stored, str(stored))


class SingleChoiceKind(QuestionKind):
    code = "single_choice"

    def field(self, question, stored=None):
        return forms.ChoiceField(
            choices=field_choices(question, [stored]),
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choisissez une des réponses proposées."},
            **self.common(question),
        )

    def display(self, question, stored):
        if is_empty(stored):
            return ""
        return question.choice_labels.get(stored, str(stored))


class MultipleChoiceKind(QuestionKind):
    code = "multiple_choice"

    def field(self, question, stored=None):
        return forms.MultipleChoiceField(
            choices=field_choices(question, as_list(stored)),
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": "« %(value)s » ne fait pas partie des réponses proposées."
            },
            **self.common(question),
        )

    def to_json(self, question, cleaned):
        if is_empty(cleaned):
            return None
        # In the order of the question's choices, whatever order was posted.
        order = {code: rank for rank, code in enumerate(question.choice_labels)}
        return sorted(cleaned, key=lambda code: order.get(code, len(order)))

    def to_initial(self, question, stored):
        return None if stored is None else as_list(stored)

    def display(self, question, stored):
        labels = question.choice_labels
        return " ; ".join(labels.get(code, str(code)) for code in as_list(stored))


class TextKind(QuestionKind):
    max_length = SHORT_TEXT_MAX_LENGTH

    def widget(self):
        return forms.TextInput

    def field(self, question, stored=None):
        return FreeTextField(
            max_length=self.max_length,
            widget=self.widget(),
            error_messages={"max_length": TOO_LONG},
            **self.common(question),
        )

    def to_json(self, question, cleaned):
        return (cleaned or "").strip() or None


class ShortTextKind(TextKind):
    code = "short_text"


class LongTextKind(TextKind):
    code = "long_text"
    max_length = LONG_TEXT_MAX_LENGTH

    def widget(self):
        return forms.Textarea(attrs={"rows": 4})


class NumberKind(QuestionKind):
    """A whole number or a decimal one (question.number_kind), within bounds."""

    code = "number"

    def field(self, question, stored=None):
        minimum, maximum = question.min_value, question.max_value
        messages = {"max_value": TOO_BIG}
        if minimum is not None:
            messages["min_value"] = (
                "Saisissez un nombre positif ou nul."
                if minimum == 0
                else f"Saisissez un nombre supérieur ou égal à {french_number(minimum)}."
            )
        if maximum is not None:
            messages["max_value"] = (
                f"Saisissez un nombre inférieur ou égal à {french_number(maximum)}."
            )
        if question.number_kind == "integer":
            return forms.IntegerField(
                min_value=minimum,
                max_value=INTEGER_CEILING if maximum is None else maximum,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "invalid": "Saisissez un nombre entier, par exemple 12.",
                    **messages,
                },
                **self.common(question),
            )
        return forms.DecimalField(
            max_digits=NUMBER_MAX_DIGITS,
            decimal_places=NUMBER_DECIMAL_PLACES,
            min_value=minimum,
            max_value=maximum,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            error_messages={
                "invalid": "Saisissez un nombre, par exemple 12 ou 12,5.",
                "max_digits": TOO_BIG,
                "max_whole_digits": TOO_BIG,
                "max_decimal_places": "Deux chiffres après la virgule au plus.",
                **messages,
            },
            **self.common(question),
        )

    def to_json(self, question, cleaned):
        if is_empty(cleaned):
            return None
        value = Decimal(cleaned).normalize()
        return int(value) if value == value.to_integral_value() else float(value)

    def to_initial(self, question, stored):
        number = self.number(stored)
        if number is None:
            return None  # the question changed kind: the old answer is not a number
        if question.number_kind == "integer" and number == number.to_integral_value():
            return int(number)
        return number

    def display(self, question, stored):
        if is_empty(stored):
            return ""
        return str(stored).replace(".", ",")

    def export_value(self, question, stored):
        if isinstance(stored, int | float) and not isinstance(stored, bool):
            return stored
        return self.display(question, stored)

    @staticmethod
    def number(stored) -> Decimal | None:
        if stored is None or isinstance(stored, bool):
            return None
        try:
            return Decimal(str(stored))
        except (InvalidOperation, ValueError):
            return None


class DateKind(QuestionKind):
    code = "date"

    def field(self, question, stored=None):
        return forms.DateField(
            widget=FrenchDateInput,
            error_messages={"invalid": "Saisissez une date valide, par exemple 16/09/2020."},
            validators=[plausible_date],
            **self.common(question),
        )

    def to_json(self, question, cleaned):
        return None if is_empty(cleaned) else cleaned.isoformat()

    def display(self, question, stored):
        date = self.date(stored)
        if date is not None:
            return date.strftime("%d/%m/%Y")
        return super().display(question, stored)

    def export_value(self, question, stored):
        return self.date(stored) or self.display(question, stored)

    @staticmethod
    def date(stored) -> datetime.date | None:
        if not isinstance(stored, str):
            return None
        try:
            return datetime.date.fromisoformat(stored)
        except ValueError:
            return None


def plausible_date(value: datetime.date) -> None:
    if not DATE_MIN <= value <= DATE_MAX:
        raise forms.ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


class DocumentsKind(QuestionKind):
    """Documents only: no field, answered when the question holds a document."""

    code = "documents"

    def field(self, question, stored=None):
        return None

    def is_answered(self, question, stored, *, has_documents=False):
        return has_documents


KINDS = {
    kind.code: kind
    for kind in (
        YesNoKind(),
        SingleChoiceKind(),
        MultipleChoiceKind(),
        ShortTextKind(),
        LongTextKind(),
        NumberKind(),
        DateKind(),
        DocumentsKind(),
    )
}


def definition(code: str) -> QuestionKind:
    """The kind named `code` (a value of Question.Kind)."""
    return KINDS[code]


def display_value(question, value) -> str:
    """A stored value in words (conflict view)."""
    return question.kind_definition.display(question, value)


def export_value(question, value):
    """A stored value as the export's cell holds it (int, float, date or text)."""
    return question.kind_definition.export_value(question, value)


# --- Choices -------------------------------------------------------------------


def as_list(value) -> list:
    if is_empty(value):
        return []
    return value if isinstance(value, list) else [value]


def field_choices(question, stored_codes) -> list[tuple[str, str]]:
    """(code, label) of the question, plus the retired codes the answer still holds.

    A retired code is offered (shown as is) only to the answer holding it, so
    that saving the step without touching the question keeps it.
    """
    labels = question.choice_labels
    choices = list(labels.items())
    for code in stored_codes:
        if isinstance(code, str) and code and code not in labels:
            choices.append((code, code))
    return choices


def choice_errors(choices) -> list[str]:
    """What is wrong with a list of choices (French sentences); empty when it is right.

    The expected shape: [{"code": "faible", "label": "Faible"}, …], each code
    non-empty, made of ASCII letters, digits, "-" or "_", unique.
    """
    if not isinstance(choices, list):
        return ['Les choix sont une liste de {"code": …, "label": …}.']
    errors, seen = [], set()
    for number, choice in enumerate(choices, start=1):
        code = choice.get("code") if isinstance(choice, dict) else None
        label = choice.get("label") if isinstance(choice, dict) else None
        if not isinstance(code, str) or not code.strip():
            errors.append(f"Le choix n° {number} n'a pas de code.")
            continue
        if not isinstance(label, str) or not label.strip():
            errors.append(f"Le choix « {code} » n'a pas de libellé.")
        if not CHOICE_CODE_RE.fullmatch(code):
            errors.append(
                f"Le code « {code} » ne doit contenir que des lettres sans accent, "
                "des chiffres, « - » ou « _ »."
            )
        if code in seen:
            errors.append(f"Le code « {code} » est utilisé deux fois.")
        seen.add(code)
    return errors


def codes_of(choices) -> set[str]:
    """The codes of a list of choices (entries of another shape are ignored)."""
    if not isinstance(choices, list):
        return set()
    return {c["code"] for c in choices if isinstance(c, dict) and isinstance(c.get("code"), str)}


def codes_in(values) -> set[str]:
    """The choice codes held by stored answers (a code, or a list of codes, each)."""
    return {code for value in values for code in as_list(value) if isinstance(code, str)}
