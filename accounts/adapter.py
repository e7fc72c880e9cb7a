import logging
import threading

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from . import services
from .checks import PROXY_COUNT_HINT

logger = logging.getLogger(__name__)


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
        # It is hashed all the same, so that a locked identifier answers in the
        # time of any other (one hash per login, whatever happens).
        try:
            services.raise_if_locked(credentials.get("username", ""), request)
        except ValidationError:
            get_user_model()().set_password(credentials.get("password") or "")
            raise

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            services.clear_login_failures(credentials.get("username", ""))
        return user

    def authentication_failed(self, request, **credentials):
        identifier = credentials.get("username", "")
        lock = services.record_login_failure(identifier, request)
        if lock.is_locked():
            raise ValidationError(services.locked_message(lock), code="account_locked")

    # --- Second factor ----------------------------------------------------------------
    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A staff member sent to set up their second factor right after typing
        their password is not asked for it again, neither for the set-up nor
        for the recovery codes shown next (allauth only counts an explicit
        "reauthentication"). Any later change to the second factor still asks."""
        if app == "allauth.mfa" and self._first_setup_right_after_login():
            return False
        if app == "allauth.account":
            # Adding, removing or choosing an e-mail address asks for the password
            # again (a session left open must not let anyone take the account).
            return True
        return super().is_reauthentication_required(app=app, **kwargs)

    def _first_setup_right_after_login(self) -> bool:
        """A password typed in this session less than ACCOUNT_REAUTHENTICATION_TIMEOUT
        ago, and no authenticator older than that login."""
        import time
        from datetime import UTC, datetime

        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.mfa.models import Authenticator

        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        logins = [
            record["at"]
            for record in get_authentication_records(self.request, user)
            if record.get("method") == "password"
            and time.time() - record.get("at", 0) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        ]
        if not logins:
            return False
        logged_in_at = datetime.fromtimestamp(min(logins), tz=UTC)
        return not Authenticator.objects.filter(
            user_id=user.pk, created_at__lt=logged_in_at
        ).exists()

    # --- E-mails --------------------------------------------------------------------
    def send_mail(self, template_prefix, email, context):
        # allauth sends some notifications from on_commit callbacks (a second
        # factor set up, new recovery codes), after the request's transaction:
        # the outbox writes its row in a transaction of its own then.
        with transaction.atomic():
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

    def get_client_ip(self, request):
        """The address the rate limits count, told once per process when a proxy
        header arrives while no proxy is trusted (all users would share it)."""
        if (
            not settings.ALLAUTH_TRUSTED_PROXY_COUNT
            and "HTTP_X_FORWARDED_FOR" in request.META
            and not _proxy_warning_given.is_set()
        ):
            _proxy_warning_given.set()
            logger.warning(
                "X-Forwarded-For received with TRUSTED_PROXY_COUNT=0. %s", PROXY_COUNT_HINT
            )
        return super().get_client_ip(request)


_proxy_warning_given = threading.Event()


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa, the portal's way: French messages; a staff account keeps its second factor."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "Code incorrect. Saisissez le code affiché à l'instant par votre application.",
        "cannot_delete_authenticator": (
            "La double authentification est obligatoire pour les comptes de l'administration. "
            "Si vous avez perdu votre téléphone, demandez à l'équipe nationale de la réinitialiser."
        ),
        "cannot_generate_recovery_codes": (
            "Activez d'abord la double authentification pour obtenir des codes de récupération."
        ),
    }

    def can_delete_authenticator(self, authenticator):
        # Resetting it is the national team's (the staff admin's action).
        return not authenticator.user.needs_second_factor
