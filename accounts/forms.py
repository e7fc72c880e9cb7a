from allauth.account import forms as allauth_forms

from .siret import normalize_siret


class LoginForm(allauth_forms.LoginForm):
    def clean_login(self):
        return normalize_siret(self.cleaned_data["login"].strip())


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    pass
