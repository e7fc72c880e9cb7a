from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone

# The staff groups (accounts.groups keeps their permissions in sync).
PREVENTEURS_GROUP = "Préventeurs"
NATIONAL_TEAM_GROUP = "Équipe nationale"


class UserManager(DjangoUserManager):
    def preventeurs_for(self, reader):
        """The active préventeurs `reader` may see and assign establishments to:
        their caisse's, every caisse's for the national team, none for anyone else."""
        preventeurs = (
            self.filter(kind=User.Kind.PREVENTEUR, is_active=True)
            .select_related("caisse")
            .order_by("last_name", "first_name")
        )
        if reader.is_national:
            return preventeurs
        if not reader.caisse_id:
            return preventeurs.none()
        return preventeurs.filter(caisse_id=reader.caisse_id)


class User(AbstractUser):
    """An account of the portal.

    An establishment's account has its SIRET as username; staff accounts
    (préventeurs, national team) have their e-mail address as username.
    Accounts are created by operations, never by visitors.
    """

    class Kind(models.TextChoices):
        ESTABLISHMENT = "establishment", "Établissement"
        PREVENTEUR = "preventeur", "Préventeur"
        NATIONAL = "national", "Équipe nationale"
        REPRESENTATIVE = "representative", "Représentant du personnel"

    username = models.CharField(
        "identifiant",
        max_length=150,
        unique=True,
        error_messages={"unique": "Un compte existe déjà avec cet identifiant."},
    )
    kind = models.CharField(
        "type de compte", max_length=20, choices=Kind, default=Kind.ESTABLISHMENT
    )
    caisse = models.ForeignKey(
        "profiles.Caisse",
        verbose_name="caisse régionale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="Pour un préventeur : la caisse dont il suit les établissements.",
    )
    activation_sent_at = models.DateTimeField(
        "e-mail d'activation envoyé le", null=True, blank=True
    )
    activated_at = models.DateTimeField("activé le", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="preventeur") | models.Q(caisse__isnull=False),
                name="preventeur_has_caisse",
            ),
        ]

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    @property
    def is_establishment(self) -> bool:
        return self.kind == self.Kind.ESTABLISHMENT

    @property
    def is_preventeur(self) -> bool:
        return self.kind == self.Kind.PREVENTEUR

    @property
    def is_national(self) -> bool:
        """The national team (superusers, kind "national", or the "Équipe
        nationale" group): sees and does everything.

        The group is asked once per instance, and only of staff accounts: an
        establishment's requests never pay for it.
        """
        if self.is_superuser or self.kind == self.Kind.NATIONAL:
            return True
        if not self.is_staff or self.pk is None:
            return False
        if self._in_national_group is None:
            self._in_national_group = self.groups.filter(name=NATIONAL_TEAM_GROUP).exists()
        return self._in_national_group

    _in_national_group = None

    @property
    def needs_second_factor(self) -> bool:
        """Every staff account logs in with a TOTP code after the password."""
        return self.is_staff or self.is_superuser

    @property
    def is_member_kind(self) -> bool:
        """A login that acts for establishments through memberships."""
        return self.kind in (self.Kind.ESTABLISHMENT, self.Kind.REPRESENTATIVE)


class LoginLock(models.Model):
    """Failed logins for one identifier, whether an account has it or not.

    Keyed by the typed identifier so that an unknown identifier behaves
    exactly as a known one (no account enumeration).
    """

    identifier = models.CharField(max_length=254, unique=True)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "verrouillage de connexion"
        verbose_name_plural = "verrouillages de connexion"

    def __str__(self):
        return self.identifier

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class AccountEvent(models.Model):
    """What happened to an account: shown in "Mes derniers événements"."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Connexion"
        LOGIN_FAILED = "login_failed", "Échec de connexion"
        LOCKED = "locked", "Compte bloqué"
        LOGOUT = "logout", "Déconnexion"
        ACTIVATED = "activated", "Activation du compte"
        PASSWORD_RESET_REQUESTED = (
            "password_reset_requested",
            "Demande de réinitialisation du mot de passe",
        )
        PASSWORD_RESET = "password_reset", "Réinitialisation du mot de passe"
        PASSWORD_CHANGED = "password_changed", "Changement du mot de passe"
        EMAIL_CHANGE_REQUESTED = "email_change_requested", "Demande de changement d'adresse e-mail"
        EMAIL_CHANGED = "email_changed", "Changement d'adresse e-mail"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=32, choices=Kind)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    detail = models.CharField("détail", max_length=255, blank=True)

    class Meta:
        verbose_name = "événement du compte"
        verbose_name_plural = "événements des comptes"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.user}"


def done_by(verbose_name: str, *, blank: bool = True, **extra) -> models.ForeignKey:
    """Who did something (validated, withdrew, wrote…): a person's account,
    kept as empty if the account is ever deleted, with no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        **extra,
    )
