import re

from django import forms

from accounts.forms import SetPasswordForm
from tmspros.text import FreeTextField

from .models import (
    PROFILE_CONTACT_FIELDS,
    PROFILE_FIELDS,
    PROFILE_HEAD_FIELDS,
    REQUIRED_PROFILE_FIELDS,
    Establishment,
    Membership,
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
            "head_email": (
                "Les récapitulatifs de progression seront envoyés à cette adresse email. "
                "Elle peut aussi recevoir les liens de « Mot de passe oublié ? » de ce compte."
            ),
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
        # Without control or invisible characters (tmspros.text): a name made
        # only of them is no name, and "required" answers.
        field_classes = dict.fromkeys(
            ["head_last_name", "head_first_name", "head_function", "head_address"], FreeTextField
        )
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


# Bootstrap hides an error that follows no invalid input: the inline radios'
# was in the page but never shown. This one is shown and describes each choice.
YES_NO_TEMPLATE = "profiles/_yes_no_field.html"


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
            InlineRadios("is_space_manager", template=YES_NO_TEMPLATE),
            InlineRadios("belongs_to_group", template=YES_NO_TEMPLATE),
            InlineRadios("has_staff_representative", template=YES_NO_TEMPLATE),
            css_class="tms-card p-3 mb-4",
        ),
        HTML('<button type="submit" class="btn btn-tms btn-lg">VALIDER MON PROFIL</button>'),
    )
    return helper


# --- Staff representatives ---------------------------------------------------------
class InvitationForm(forms.Form):
    """ "Représentants du personnel": invite one by e-mail (profiles.services)."""

    prefix = "invitation"

    last_name = FreeTextField(
        label="Nom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Saisissez le nom du représentant.",
            "max_length": "Le nom ne doit pas dépasser 150 caractères.",
        },
    )
    first_name = FreeTextField(
        label="Prénom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Saisissez le prénom du représentant.",
            "max_length": "Le prénom ne doit pas dépasser 150 caractères.",
        },
    )
    email = forms.EmailField(
        label="Courriel",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="L'invitation est envoyée à cette adresse, qui sera son identifiant.",
        error_messages={
            "required": "Saisissez l'adresse e-mail du représentant.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
            "max_length": "L'adresse e-mail ne doit pas dépasser 254 caractères.",
        },
    )
    mandate = forms.ChoiceField(
        label="Mandat",
        choices=[("", "Choisissez le mandat")] + Membership.Mandate.choices,
        error_messages={
            "required": "Choisissez le mandat du représentant.",
            "invalid_choice": "Choisissez le mandat du représentant : CSE, CHSCT ou DP.",
        },
    )

    def __init__(self, establishment, *args, **kwargs):
        self.establishment = establishment
        super().__init__(*args, **kwargs)

    def clean_email(self):
        from .services import invitable_account_error

        email = self.cleaned_data["email"].strip().lower()
        if (
            self.establishment.memberships.active()
            .filter(role=Membership.Role.REPRESENTATIVE, user__username=email)
            .exists()
        ):
            raise forms.ValidationError(
                "Cette personne est déjà représentante du personnel de votre établissement.",
                code="already_member",
            )
        if self.establishment.invitations.pending().filter(email=email).exists():
            raise forms.ValidationError(
                "Une invitation a déjà été envoyée à cette adresse : "
                "utilisez « Renvoyer l'invitation » dans la liste.",
                code="already_invited",
            )
        error = invitable_account_error(email)
        if error:
            raise forms.ValidationError(error, code="not_invitable")
        return email


def invitation_form_helper():
    from crispy_forms.helper import FormHelper
    from crispy_forms.layout import HTML, Div, Layout

    helper = FormHelper()
    helper.form_method = "post"
    helper.form_id = "invitation-form"
    helper.form_action = "profiles:invite_representative"
    helper.attrs = {"novalidate": "", "aria-labelledby": "invitation-title"}
    helper.layout = Layout(
        Div(
            Div("last_name", css_class="col-md-6"),
            Div("first_name", css_class="col-md-6"),
            css_class="row",
        ),
        Div(
            Div("email", css_class="col-md-8"),
            Div("mandate", css_class="col-md-4"),
            css_class="row",
        ),
        HTML('<button type="submit" class="btn btn-tms">Envoyer l\'invitation</button>'),
    )
    return helper


class InvitationPasswordForm(SetPasswordForm):
    """The invited person's password (no account yet): the foundation's rules,
    neither the address (their identifier) nor the establishment's SIRET or name."""

    def __init__(self, invitation, *args, **kwargs):
        from accounts.models import User

        self.invitation = invitation
        user = User(
            username=invitation.email,
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            kind=User.Kind.REPRESENTATIVE,
        )
        super().__init__(user, *args, **kwargs)

    def clean_password1(self):
        from accounts.validators import NotIdentifierNorNameValidator

        password = super().clean_password1()
        establishment = self.invitation.establishment
        NotIdentifierNorNameValidator().validate_against(
            password, [establishment.siret, establishment.name]
        )
        return password
