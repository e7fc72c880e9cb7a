"""Account workflows: lockout, activation, password reset requests, events."""

import math
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from outbox.services import send_templated_email

from .models import AccountEvent, LoginLock, User
from .siret import normalize_siret

INVALID_CREDENTIALS_MESSAGE = "Identifiant ou mot de passe incorrect."


# --- Events ------------------------------------------------------------------
def client_ip(request) -> str | None:
    """The real client address (TRUSTED_PROXY_COUNT proxies in front)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - an event without an address is still an event
        return None


def record_event(user, kind, request=None, detail="") -> AccountEvent:
    return AccountEvent.objects.create(
        user=user, kind=kind, ip_address=client_ip(request), detail=detail
    )


# --- Lockout -------------------------------------------------------------------
def lock_identifier(identifier: str) -> str:
    """The key of a login lock: the normalised identifier, whatever was typed."""
    value = (identifier or "").strip()
    return value.lower() if "@" in value else normalize_siret(value)


def locked_message(lock: LoginLock, now=None) -> str:
    now = now or timezone.now()
    minutes = max(1, math.ceil((lock.locked_until - now).total_seconds() / 60))
    return f"Votre compte est bloqué. Veuillez réessayer dans {minutes} min."


LOCKED_ATTEMPT_DETAIL = "pendant le blocage"


def raise_if_locked(identifier: str, request=None) -> None:
    lock = LoginLock.objects.filter(identifier=lock_identifier(identifier)).first()
    if lock is not None and lock.is_locked():
        _record_attempt_while_locked(identifier, lock, request)
        raise ValidationError(locked_message(lock), code="account_locked")


def _record_attempt_while_locked(identifier: str, lock: LoginLock, request=None) -> None:
    """The owner sees that someone kept trying; once per lock, so the log cannot be flooded."""
    user = _account_for(identifier)
    if user is None:
        return
    locked_since = lock.locked_until - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    already = user.events.filter(
        kind=AccountEvent.Kind.LOGIN_FAILED,
        detail=LOCKED_ATTEMPT_DETAIL,
        created_at__gte=locked_since,
    ).exists()
    if not already:
        record_event(user, AccountEvent.Kind.LOGIN_FAILED, request, detail=LOCKED_ATTEMPT_DETAIL)


def _account_for(identifier: str):
    return User.objects.filter(username__iexact=lock_identifier(identifier)).first()


@transaction.atomic
def record_login_failure(identifier: str, request=None) -> LoginLock:
    """Count a wrong password; the threshold locks the identifier for a delay.

    A failure while locked neither counts nor extends the lock: the lock
    cannot be used to shut an establishment out for ever. Failures older than
    the lock delay are forgotten.
    """
    now = timezone.now()
    delay = timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    lock, _ = LoginLock.objects.select_for_update().get_or_create(
        identifier=lock_identifier(identifier)
    )
    if lock.is_locked(now):
        return lock
    if lock.locked_until is not None or (lock.failures and lock.updated_at < now - delay):
        lock.failures, lock.locked_until = 0, None
    lock.failures += 1
    user = _account_for(identifier)
    if lock.failures >= settings.LOGIN_LOCK_THRESHOLD:
        lock.locked_until = now + delay
        if user is not None:
            record_event(user, AccountEvent.Kind.LOCKED, request)
    lock.save()
    return lock


def clear_login_failures(identifier: str) -> None:
    LoginLock.objects.filter(identifier=lock_identifier(identifier)).delete()


# --- Activation ----------------------------------------------------------------
class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Single use (the hash covers the password and the activation date); valid ACTIVATION_LINK_DAYS."""

    key_salt = "tmspros.accounts.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.activated_at}{timestamp}{user.username}"

    def check_token(self, user, token):
        if not (user and token) or "-" not in token:
            return False
        ts_b36 = token.split("-", 1)[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.ACTIVATION_LINK_DAYS * 86400


activation_token_generator = ActivationTokenGenerator()


def activation_url(user) -> str:
    token = activation_token_generator.make_token(user)
    path = reverse("account_activate", kwargs={"uidb36": user_pk_to_url_str(user), "token": token})
    return settings.SITE_URL + path


def own_establishment(user):
    """The establishment whose own account `user` is (its identifier is the SIRET), if any."""
    from profiles.models import Establishment

    return Establishment.objects.filter(siret=user.username, memberships__user=user).first()


def send_activation_email(user) -> None:
    """E-mail the identifier and a single-use link to choose a password (never a password)."""
    send_templated_email(
        template="activation",
        to=[user.email],
        context={
            "user": user,
            "establishment": own_establishment(user),
            "identifier": user.username,
            "activation_url": activation_url(user),
            "validity_days": settings.ACTIVATION_LINK_DAYS,
        },
    )
    user.activation_sent_at = timezone.now()
    user.save(update_fields=["activation_sent_at"])


@transaction.atomic
def activate_account(*, user, password: str, request=None) -> None:
    user.set_password(password)
    user.activated_at = timezone.now()
    user.save(update_fields=["password", "activated_at"])
    clear_login_failures(user.username)
    record_event(user, AccountEvent.Kind.ACTIVATED, request)


# --- Forgotten password ----------------------------------------------------------
def reset_recipients(identifier_or_email: str) -> dict[str, list]:
    """{address: active accounts whose links it receives} for "Mot de passe oublié ?".

    An identifier (SIRET, spaces allowed) reaches its account's address. An
    address reaches the accounts whose address it is, and the establishments'
    own accounts whose head of establishment it is ("Courriel" of "Mon profil",
    as the seed's FAQ says): the head then receives their links.
    """
    value = (identifier_or_email or "").strip()
    if not value:
        return {}
    query = Q(username__iexact=lock_identifier(value))
    if "@" in value:
        query |= Q(email__iexact=value)
    by_address: dict[str, list] = {}
    for user in User.objects.filter(query, is_active=True).exclude(email="").order_by("username"):
        by_address.setdefault(user.email.lower(), []).append(user)
    if "@" in value:
        heads = (
            User.objects.filter(
                is_active=True,
                memberships__role="establishment",
                memberships__establishment__siret=F("username"),
                memberships__establishment__head_email__iexact=value,
            )
            .distinct()
            .order_by("username")
        )
        accounts = by_address.setdefault(value.lower(), [])
        accounts += [user for user in heads if user not in accounts]
        if not accounts:
            del by_address[value.lower()]
    return by_address


def reset_link(user) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    uidb36, token = key.split("-", 1)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})
    return settings.SITE_URL + path


def send_password_reset(by_address: dict[str, list], request=None) -> int:
    """One message per address, listing each of its identifiers with its own link."""
    for address, accounts in by_address.items():
        send_templated_email(
            template="password_reset",
            to=[address],
            context={
                "accounts": [{"identifier": u.username, "url": reset_link(u)} for u in accounts],
                "identifiers": ", ".join(u.username for u in accounts),
                "validity_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
        for user in accounts:
            record_event(user, AccountEvent.Kind.PASSWORD_RESET_REQUESTED, request)
    return len(by_address)


# --- Staff accounts ----------------------------------------------------------------
class StaffAccountError(ValueError):
    """A staff account that cannot be created as asked (the message says why, in French)."""


@transaction.atomic
def create_preventeur(*, email: str, first_name: str, last_name: str, caisse) -> User:
    """A préventeur of `caisse`: e-mail as identifier, no password until they
    activate the account, in the "Préventeurs" group, with the activation e-mail."""
    from django.contrib.auth.models import Group

    from .models import PREVENTEURS_GROUP

    email = email.strip().lower()
    if User.objects.filter(username__iexact=email).exists():
        raise StaffAccountError(f"Un compte existe déjà avec l'identifiant {email}.")
    user = User.objects.create_user(
        username=email,
        email=email,
        password=None,  # unusable until activation
        kind=User.Kind.PREVENTEUR,
        caisse=caisse,
        is_staff=True,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    group, _ = Group.objects.get_or_create(name=PREVENTEURS_GROUP)
    user.groups.add(group)
    send_activation_email(user)
    return user


def release_establishments(user) -> int:
    """The establishments `user` may no longer follow are left "sans préventeur":
    all of them once the account is inactive, those of other caisses after a move."""
    from profiles.models import Establishment

    followed = Establishment.objects.filter(preventeur=user)
    if user.is_active:
        followed = followed.exclude(caisse_id=user.caisse_id)
    return followed.update(preventeur=None)


@transaction.atomic
def deactivate_staff(*, user) -> int:
    """The account can no longer log in; its establishments are left without
    préventeur. Returns how many establishments it followed."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return release_establishments(user)


@transaction.atomic
def reset_second_factor(*, user, by) -> int:
    """A lost phone: the account's authenticator and recovery codes are deleted;
    at its next login it sets up a new one. The owner is told by e-mail."""
    from allauth.mfa.models import Authenticator

    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if user.email:
        send_templated_email(
            template="second_factor_reset",
            to=[user.email],
            context={
                "user": user,
                "by": by,
                "login_url": settings.SITE_URL + reverse("account_login"),
            },
        )
    return deleted


def set_totp_secret(user, secret: str):
    """Give `user` a TOTP authenticator with a known secret (the demo's accounts, tests)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )


# --- Sessions ------------------------------------------------------------------------
def end_sessions(user) -> int:
    """Log `user` out everywhere, at once: each of their live sessions is deleted.

    Sessions live in the database (the default engine, or cached_db): the live
    ones (SESSION_COOKIE_AGE keeps them few) are decoded and those of `user`
    deleted through the engine's store, which also clears cached_db's cache.
    A request of theirs already under way cannot bring its session back: saving
    a deleted session fails (Django's SessionInterrupted). Returns the count.
    """
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY
    from django.core.exceptions import ImproperlyConfigured

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        raise ImproperlyConfigured(
            "end_sessions needs sessions kept in the database (SESSION_ENGINE db or cached_db)."
        )
    user_id = user._meta.pk.value_to_string(user)
    store = store_class()
    live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    keys = [
        session.session_key
        for session in live.only("session_key", "session_data").iterator()
        if store.decode(session.session_data).get(SESSION_KEY) == user_id
    ]
    for key in keys:
        store.delete(key)
    return len(keys)
