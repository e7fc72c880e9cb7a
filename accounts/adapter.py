from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from . import services


class AccountAdapter(DefaultAccountAdapter):
    """allauth, the portal's way: closed signup, lockout, links built from SITE_URL.

    Its e-mails are sent by allauth itself, through the default mailer: the outbox.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": services.INVALID_CREDENTIALS_MESSAGE,
        "invalid_login": services.INVALID_CREDENTIALS_MESSAGE,
        "too_many_login_attempts": "Trop de tentatives de connexion depuis votre adresse. Veuillez réessayer plus tard.",
        "invalid_password_reset": "Ce lien n'est plus valable : il a déjà servi ou a expiré. Vous pouvez en demander un nouveau.",
        "rate_limited": "Trop de demandes en peu de temps. Veuillez patienter avant de réessayer.",
    }

    def is_open_for_signup(self, request):
        return False

    # --- Login and lockout ---------------------------------------------------------
    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        # A locked account does not even check the password: it reveals nothing.
        services.raise_if_locked(credentials.get("username", ""), request)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            services.clear_login_failures(credentials.get("username", ""))
        return user

    def authentication_failed(self, request, **credentials):
        identifier = credentials.get("username", "")
        lock = services.record_login_failure(identifier, request)
        if lock.is_locked():
            from django.core.exceptions import ValidationError

            raise ValidationError(services.locked_message(lock), code="account_locked")

    # --- E-mails --------------------------------------------------------------------
    def send_mail(self, template_prefix, email, context):
        super().send_mail(template_prefix, email, {"site_url": settings.SITE_URL, **context})

    def get_password_change_redirect_url(self, request):
        # Back to "Mon compte", where "Mes derniers événements" lists the change.
        return reverse("account")

    def format_email_subject(self, subject):
        return subject

    # Absolute links in e-mails come from SITE_URL, never from the Host header.
    def get_reset_password_from_key_url(self, key):
        uidb36, token = key.split("-", 1)
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})
        return settings.SITE_URL + path

    def get_email_confirmation_url(self, request, emailconfirmation):
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])
