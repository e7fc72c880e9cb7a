import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import done_by
from accounts.siret import validate_siret


class Caisse(models.Model):
    """A regional fund (Cramif, Carsat, CGSS, CSS): follows its establishments."""

    code = models.CharField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120)
    region = models.CharField("région", max_length=120)
    email = models.EmailField("adresse e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=40, blank=True)
    address = models.TextField("adresse postale", blank=True)

    class Meta:
        verbose_name = "caisse régionale"
        verbose_name_plural = "caisses régionales"
        ordering = ["name"]

    def __str__(self):
        return self.name


def full_time_equivalent(days: int | None) -> Decimal | None:
    """Days lost expressed in full-time equivalents (one decimal)."""
    if days is None:
        return None
    return (Decimal(days) / Decimal(settings.FTE_DAYS_DIVISOR)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def visibility(user, prefix: str = "") -> Q | None:
    """The one rule of who may see an establishment's data, as a filter.

    The national team sees every establishment, a préventeur their caisse's,
    a member (the establishment's own account, a representative) the
    establishments of their active memberships; anyone else nothing (None).
    `prefix` reaches the establishment from another model ("establishment__").
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_national:
        return Q()
    if user.is_preventeur:
        return Q(**{f"{prefix}caisse_id": user.caisse_id}) if user.caisse_id else None
    return Q(**{f"{prefix}memberships__user": user, f"{prefix}memberships__is_active": True})


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        allowed = visibility(user)
        return self.none() if allowed is None else self.filter(allowed)


class Establishment(models.Model):
    """An establishment of the programme; who acts for it is a Membership."""

    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    name = models.CharField("raison sociale", max_length=255)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    town = models.CharField("ville", max_length=120, blank=True)
    naf_code = models.CharField("code NAF", max_length=10, blank=True)
    headcount = models.PositiveIntegerField("effectif", null=True, blank=True)
    caisse = models.ForeignKey(
        Caisse,
        verbose_name="caisse régionale",
        on_delete=models.PROTECT,
        related_name="establishments",
    )
    preventeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="préventeur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_establishments",
        limit_choices_to={"kind": "preventeur"},
    )
    days_lost_tms = models.PositiveIntegerField(
        "journées perdues liées aux TMS", null=True, blank=True
    )
    days_lost_lumbago = models.PositiveIntegerField(
        "journées perdues (accidents du travail à l'origine de lombalgies)", null=True, blank=True
    )
    figures_year = models.PositiveSmallIntegerField("année des données", null=True, blank=True)

    # "Mon profil": the head of establishment and the contacts.
    head_last_name = models.CharField("nom", max_length=150, blank=True)
    head_first_name = models.CharField("prénom", max_length=150, blank=True)
    head_function = models.CharField("fonction", max_length=150, blank=True)
    head_email = models.EmailField("courriel", blank=True)
    head_phone = models.CharField("téléphone", max_length=20, blank=True)
    head_address = models.CharField("adresse", max_length=255, blank=True)
    is_space_manager = models.BooleanField(
        "Êtes-vous la personne en charge de la mise à jour de l'espace entreprise ?",
        null=True,
        blank=True,
    )
    belongs_to_group = models.BooleanField(
        "L'établissement appartient-il à un groupe ou à une filiale ?", null=True, blank=True
    )
    has_staff_representative = models.BooleanField(
        "Avez-vous un représentant du personnel (CSE/CHSCT/DP) ?", null=True, blank=True
    )
    profile_updated_at = models.DateTimeField("profil mis à jour le", null=True, blank=True)

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["name"]
        # The préventeurs' actions on establishments (the "Préventeurs" group holds them).
        permissions = [
            ("unlock_account", "Débloquer le compte"),
            ("send_activation", "Envoyer l'e-mail d'activation"),
            ("assign_preventeur", "Attribuer à un préventeur"),
            ("export_establishments", "Exporter les établissements"),
        ]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    @staticmethod
    def preventeur_may_follow(preventeur, caisse) -> bool:
        """The one rule: a préventeur follows establishments of their own caisse only."""
        return preventeur.caisse_id == getattr(caisse, "pk", caisse)

    def clean(self):
        super().clean()
        if (
            self.preventeur_id
            and self.caisse_id
            and not self.preventeur_may_follow(self.preventeur, self.caisse_id)
        ):
            raise ValidationError(
                {
                    "preventeur": "Ce préventeur n'appartient pas à la caisse régionale de l'établissement."
                }
            )

    def drop_preventeur_of_another_caisse(self) -> bool:
        """After a move to another caisse, the former préventeur no longer follows it.

        The import calls this (the caisse changed, the préventeur column may be
        absent); the admin refuses the mismatch instead (clean). Same rule.
        """
        if self.preventeur_id and not self.preventeur_may_follow(self.preventeur, self.caisse_id):
            self.preventeur = None
            return True
        return False

    @cached_property
    def account(self):
        """The establishment's own account: the one whose identifier is its SIRET."""
        membership = (
            self.memberships.filter(role=Membership.Role.ESTABLISHMENT, user__username=self.siret)
            .select_related("user")
            .first()
        )
        return membership.user if membership else None

    def is_own_account(self, user) -> bool:
        return user is not None and user.username == self.siret

    @property
    def days_lost_tms_fte(self):
        return full_time_equivalent(self.days_lost_tms)

    @property
    def days_lost_lumbago_fte(self):
        return full_time_equivalent(self.days_lost_lumbago)

    @property
    def is_profile_complete(self) -> bool:
        """Every mandatory field of "Mon profil" holds a value (validated by ProfileForm)."""
        return all(getattr(self, name) not in (None, "") for name in REQUIRED_PROFILE_FIELDS)

    @property
    def has_figures(self) -> bool:
        return self.days_lost_tms is not None or self.days_lost_lumbago is not None


# The fields of "Mon profil", in the page's order: the one list the form, the
# admin and the export derive theirs from. All but the function are mandatory.
PROFILE_HEAD_FIELDS = (
    "head_last_name",
    "head_first_name",
    "head_function",
    "head_email",
    "head_phone",
    "head_address",
)
PROFILE_CONTACT_FIELDS = ("is_space_manager", "belongs_to_group", "has_staff_representative")
PROFILE_FIELDS = PROFILE_HEAD_FIELDS + PROFILE_CONTACT_FIELDS
OPTIONAL_PROFILE_FIELDS = ("head_function",)
REQUIRED_PROFILE_FIELDS = tuple(f for f in PROFILE_FIELDS if f not in OPTIONAL_PROFILE_FIELDS)


def profile_complete_q(prefix: str = "") -> Q:
    """Establishment.is_profile_complete as a filter: every required field of
    "Mon profil" holds a value (not null, and not empty for text fields).
    `prefix` reaches the establishment from another model ("establishment__")."""
    condition = Q()
    for name in REQUIRED_PROFILE_FIELDS:
        condition &= Q(**{f"{prefix}{name}__isnull": False})
        if Establishment._meta.get_field(name).empty_strings_allowed:
            condition &= ~Q(**{f"{prefix}{name}": ""})
    return condition


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """Who acts for an establishment, and as what; deactivated, never deleted."""

    class Role(models.TextChoices):
        ESTABLISHMENT = "establishment", "Compte de l'établissement"
        REPRESENTATIVE = "representative", "Représentant du personnel (CSE/CHSCT/DP)"

    class Mandate(models.TextChoices):
        """A staff representative's mandate ("Mandat")."""

        CSE = "CSE", "CSE"
        CHSCT = "CHSCT", "CHSCT"
        DP = "DP", "DP"

    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField("rôle", max_length=20, choices=Role)
    mandate = models.CharField(
        "mandat", max_length=10, choices=Mandate, blank=True, help_text="Représentants seulement."
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = done_by("modifiée par")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        ordering = ["establishment__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "user"], name="one_membership_per_user_and_establishment"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.establishment} ({self.get_role_display()})"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


def default_invitation_validity() -> timedelta:
    return timedelta(days=settings.INVITATION_VALIDITY_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted nor withdrawn, expired or not (at most one per address)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)

    def valid(self, now=None):
        """Pending and within its validity, the expiry computed by the database."""
        return (
            self.pending()
            .alias(
                expires_at_in_db=ExpressionWrapper(
                    F("sent_at") + F("validity"), output_field=DateTimeField()
                )
            )
            .filter(expires_at_in_db__gt=now or timezone.now())
        )


class Invitation(models.Model):
    """An establishment invites a staff representative (les-emplois' model).

    The link is single use and valid `validity` after `sent_at` (the setting
    INVITATION_VALIDITY_DAYS when it was sent); accepted by the account of the
    invited address only, it becomes a Membership with the representative role.
    Resending gives a new token (the old link stops working) and a new date.
    """

    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField("courriel", max_length=254)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    mandate = models.CharField("mandat", max_length=10, choices=Membership.Mandate)
    token = models.CharField(
        "jeton", max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = done_by("invité par")
    created_at = models.DateTimeField("créée le", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    validity = models.DurationField("validité", default=default_invitation_validity)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = done_by("acceptée par")
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawn_by = done_by("retirée par")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation de représentant"
        verbose_name_plural = "invitations de représentants"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "email"],
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_pending_invitation_per_address",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="invitation_email_lower_case"
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}> – {self.establishment}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def expires_at(self):
        return self.sent_at + self.validity

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_valid(self) -> bool:
        """As InvitationQuerySet.valid(), for an invitation already loaded."""
        return self.is_pending and not self.is_expired
