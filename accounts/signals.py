"""The account's events ("Mes derniers événements") and the lock lifted by a reset."""

from allauth.account import signals as allauth_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from . import services
from .models import AccountEvent, User


@receiver(auth_signals.user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    services.record_event(user, AccountEvent.Kind.LOGIN, request)


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("username") or ""
    user = User.objects.filter(username__iexact=services.lock_identifier(identifier)).first()
    if user is not None:
        services.record_event(user, AccountEvent.Kind.LOGIN_FAILED, request)


@receiver(allauth_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    services.clear_login_failures(user.username)
    services.record_event(user, AccountEvent.Kind.PASSWORD_RESET, request)
    if user.activated_at is None:
        from django.utils import timezone

        user.activated_at = timezone.now()
        user.save(update_fields=["activated_at"])


@receiver(allauth_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    services.record_event(user, AccountEvent.Kind.PASSWORD_CHANGED, request)


@receiver(allauth_signals.email_added)
def on_email_added(sender, request, user, email_address, **kwargs):
    services.record_event(
        user, AccountEvent.Kind.EMAIL_CHANGE_REQUESTED, request, detail=email_address.email
    )


@receiver(allauth_signals.email_changed)
def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    services.record_event(
        user, AccountEvent.Kind.EMAIL_CHANGED, request, detail=to_email_address.email
    )
