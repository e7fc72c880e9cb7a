from allauth.account import forms as allauth_forms
from allauth.core import ratelimit
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as mfa_totp_forms
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from . import services, validators


class LoginForm(allauth_forms.LoginForm):
    """ "J'ACCÈDE À MON COMPTE TMS PROS": identifier and password.

    The identifier is an establishment's SIRET (spaces, dots allowed) or an
    e-mail address (staff representatives, staff): services.lock_identifier
    normalises both, the same key for the login, the lockout and the reset.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Identifiant"
        self.fields[
            "login"
        ].help_text = (
            "Votre SIRET sans espace (14 chiffres), ou votre adresse e-mail pour les "
            "représentants du personnel et les agents."
        )
        self.fields["login"].widget.attrs.update(
            {"placeholder": "", "autocomplete": "username", "autofocus": True, "inputmode": "text"}
        )
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].widget.attrs.update(
            {"placeholder": "", "autocomplete": "current-password"}
        )
        self.fields["password"].help_text = ""
        self.fields.pop("remember", None)

    def clean_login(self):
        return services.lock_identifier(self.cleaned_data["login"])

    def _post_clean(self):
        super()._post_clean()
        # A refused login (wrong password, locked account) is the form's error,
        # shown above the fields (#login-errors in the template): both fields
        # are marked invalid and point at it, as a field's own error would.
        if self.non_field_errors():
            for name in ("login", "password"):
                field = self.fields[name]
                described = [f"id_{name}_helptext"] if field.help_text else []
                field.widget.attrs["aria-describedby"] = " ".join([*described, "login-errors"])
                field.widget.attrs["aria-invalid"] = "true"


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """ "Mot de passe oublié ?": by identifier or by e-mail; the answer never says if an account exists."""

    email = forms.CharField(
        label="Identifiant ou adresse e-mail",
        max_length=254,
        help_text=(
            "Votre SIRET (14 chiffres), l'adresse e-mail de votre compte ou celle du chef "
            "d'établissement indiquée dans « Mon profil »."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        self.recipients = services.reset_recipients(value)
        return services.lock_identifier(value)

    def save(self, request, **kwargs):
        # Per address too (an address shared by many establishments is not a spam
        # cannon): one count per message, and the message lists every identifier.
        allowed = {
            address: accounts
            for address, accounts in self.recipients.items()
            if ratelimit.consume(request, action="reset_password_address", key=address)
        }
        services.send_password_reset(allowed, request)
        return self.cleaned_data["email"]


def live_password_rules() -> list[dict]:
    """The rules a browser can tick while the password is typed, from the validators themselves.

    Each is {"label", "min_length" or "pattern"}: the label is the validator's
    own message ("Le mot de passe doit contenir au moins une majuscule." →
    "Au moins une majuscule"), the pattern its regular expression, so that the
    list on the page and the server's check (the authority) cannot drift apart.
    """

    def label(message: str) -> str:
        text = str(message).removeprefix("Le mot de passe doit contenir ").rstrip(".")
        return text[:1].upper() + text[1:]

    try:
        validators.MinimumLengthValidator().validate("")
        length_message = f"au moins {validators.MIN_LENGTH} caractères"
    except ValidationError as error:
        length_message = error.messages[0]
    rules = [{"label": label(length_message), "min_length": validators.MIN_LENGTH}]
    rules += [
        {"label": label(message), "pattern": pattern.pattern}
        for pattern, message, _code in validators.CharacterClassesValidator.CLASSES
    ]
    return rules


class SetPasswordForm(forms.Form):
    """Choose a password (activation): rules checked one by one, named next to the field."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmer le mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return cleaned


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """The new password after "Mot de passe oublié ?", with the seed's labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("password1", "password2"):
            self.fields[field].widget.attrs.pop("placeholder", None)
        self.fields["password1"].label = "Mot de passe"
        self.fields["password1"].help_text = ""
        self.fields["password2"].label = "Confirmer le mot de passe"


class AddEmailForm(allauth_forms.AddEmailForm):
    """The new address of the account (confirmed by a link sent to it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Nouvelle adresse e-mail"
        self.fields["email"].widget.attrs.pop("placeholder", None)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("oldpassword", "password1", "password2"):
            self.fields[field].widget.attrs.pop("placeholder", None)
        self.fields["oldpassword"].label = "Mot de passe actuel"
        self.fields["password1"].label = "Nouveau mot de passe"
        self.fields["password1"].help_text = ""
        # Not "Confirmer le nouveau mot de passe": the label "Nouveau mot de passe" stays unique.
        self.fields["password2"].label = "Confirmer le mot de passe"


# --- Second factor (allauth.mfa) ---------------------------------------------------
def _code_field_in_french(field, label: str, help_text: str = "") -> None:
    field.label = label
    field.help_text = help_text
    field.widget.attrs.update(
        {
            "placeholder": "",
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autofocus": True,
        }
    )


class ActivateTOTPForm(mfa_totp_forms.ActivateTOTPForm):
    """The set-up: the code the application shows, proving it holds the secret."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field_in_french(
            self.fields["code"],
            "Code à 6 chiffres",
            "Le code affiché par votre application d'authentification pour « TMS Pros ».",
        )


class AuthenticateForm(mfa_base_forms.AuthenticateForm):
    """The second step of a staff login, after the password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field_in_french(
            self.fields["code"],
            "Code à 6 chiffres",
            "Le code de votre application d'authentification, ou l'un de vos codes de récupération.",
        )
        self.fields["code"].widget.attrs["inputmode"] = "text"  # recovery codes too


class ReauthenticateForm(mfa_base_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field_in_french(
            self.fields["code"],
            "Code à 6 chiffres",
            "Le code de votre application d'authentification, ou l'un de vos codes de récupération.",
        )
        self.fields["code"].widget.attrs["inputmode"] = "text"
