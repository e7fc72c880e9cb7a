import re
import unicodedata

from django import forms

from .models import (
    PROFILE_CONTACT_FIELDS,
    PROFILE_FIELDS,
    PROFILE_HEAD_FIELDS,
    REQUIRED_PROFILE_FIELDS,
    Establishment,
)

YES_NO = [("True", "Oui"), ("False", "Non")]

# Overseas departments dial their own country code; nationally they are 0 + 9 digits.
_OVERSEAS_CODES = ("262", "269", "590", "594", "596")
_PHONE_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-/()]+")
PHONE_ERROR = "Saisissez un numéro de téléphone français à 10 chiffres."


def normalize_french_phone(value: str) -> str | None:
    """'+33 1 02 03 04 05', '01.02.03.04.05', '0102030405' -> '01 02 03 04 05'; None if not French."""
    digits = _PHONE_SEPARATORS.sub("", value or "")
    if digits.startswith("+"):
        digits = "00" + digits[1:]
    if digits.startswith("0033"):
        digits = digits[4:]
        if digits.startswith("0"):  # "+33 (0)1 ..." as people write it
            digits = digits[1:]
        digits = "0" + digits
    else:
        for code in _OVERSEAS_CODES:
            if digits.startswith("00" + code):
                digits = "0" + digits[2 + len(code) :]
                break
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return None
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def _yes_no_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Répondez par oui ou par non."},
    )


class ProfileForm(forms.ModelForm):
    """ "Mon profil": the head of establishment and the establishment's contacts."""

    HEAD_FIELDS = PROFILE_HEAD_FIELDS
    CONTACT_FIELDS = PROFILE_CONTACT_FIELDS

    is_space_manager = _yes_no_field(
        "Êtes-vous la personne en charge de la mise à jour de l'espace entreprise ?"
    )
    belongs_to_group = _yes_no_field("L'établissement appartient-il à un groupe ou à une filiale ?")
    has_staff_representative = _yes_no_field(
        "Avez-vous un représentant du personnel (CSE/CHSCT/DP) ?"
    )

    class Meta:
        model = Establishment
        fields = PROFILE_FIELDS
        labels = {
            "head_last_name": "Nom",
            "head_first_name": "Prénom",
            "head_function": "Fonction",
            "head_email": "Courriel",
            "head_phone": "Téléphone",
            "head_address": "Adresse",
        }
        help_texts = {
            "head_email": "Les récapitulatifs de progression seront envoyés à cette adresse email.",
            "head_phone": "Par exemple 01 02 03 04 05 ou +33 1 02 03 04 05.",
        }
        widgets = {
            "head_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "head_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "head_last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "head_first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "head_function": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "head_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        error_messages = {
            "head_last_name": {"required": "Saisissez le nom du chef d'établissement."},
            "head_first_name": {"required": "Saisissez le prénom du chef d'établissement."},
            "head_email": {
                "required": "Saisissez l'adresse e-mail du chef d'établissement.",
                "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
            },
            "head_phone": {"required": "Saisissez le numéro de téléphone."},
            "head_address": {"required": "Saisissez l'adresse."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REQUIRED_PROFILE_FIELDS:
            self.fields[name].required = True

    def clean_head_phone(self):
        phone = normalize_french_phone(self.cleaned_data["head_phone"])
        if phone is None:
            raise forms.ValidationError(PHONE_ERROR, code="invalid_phone")
        return phone

    def _clean_text(self, name):
        # Control and invisible format characters (bidi overrides, zero-width spaces...) are
        # dropped: a name made only of them is no name, and they could disguise what is shown.
        value = "".join(
            char
            for char in self.cleaned_data[name]
            if unicodedata.category(char) not in ("Cc", "Cf") or char == "\u200d"
        )
        value = " ".join(value.split())
        if not value and self.fields[name].required:
            raise forms.ValidationError(
                self.fields[name].error_messages["required"], code="required"
            )
        return value

    def clean_head_last_name(self):
        return self._clean_text("head_last_name")

    def clean_head_first_name(self):
        return self._clean_text("head_first_name")

    def clean_head_address(self):
        return self._clean_text("head_address")

    def clean_head_function(self):
        return self._clean_text("head_function")


def profile_form_helper():
    """The layout of "Mon profil": two blocks as in the seeds, one submit button."""
    from crispy_forms.bootstrap import InlineRadios
    from crispy_forms.helper import FormHelper
    from crispy_forms.layout import HTML, Div, Fieldset, Layout

    helper = FormHelper()
    helper.form_method = "post"
    helper.form_id = "profile-form"
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(
        Fieldset(
            "Chef d'établissement",
            Div(
                Div("head_last_name", css_class="col-md-6"),
                Div("head_first_name", css_class="col-md-6"),
                css_class="row",
            ),
            "head_function",
            Div(
                Div("head_email", css_class="col-md-6"),
                Div("head_phone", css_class="col-md-6"),
                css_class="row",
            ),
            "head_address",
            css_class="tms-card p-3 mb-4",
        ),
        Fieldset(
            "Contacts Etablissement",
            InlineRadios("is_space_manager"),
            InlineRadios("belongs_to_group"),
            InlineRadios("has_staff_representative"),
            css_class="tms-card p-3 mb-4",
        ),
        HTML('<button type="submit" class="btn btn-tms btn-lg">VALIDER MON PROFIL</button>'),
    )
    return helper
