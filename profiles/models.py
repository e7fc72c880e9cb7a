from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

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


class Establishment(models.Model):
    """An establishment of the programme, with its one establishment account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.PROTECT,
        related_name="establishment",
    )
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

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    def clean(self):
        super().clean()
        if self.preventeur_id and self.caisse_id and self.preventeur.caisse_id != self.caisse_id:
            raise ValidationError(
                {
                    "preventeur": "Ce préventeur n'appartient pas à la caisse régionale de l'établissement."
                }
            )

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


# The fields of "Mon profil" marked with an asterisk.
REQUIRED_PROFILE_FIELDS = (
    "head_last_name",
    "head_first_name",
    "head_email",
    "head_phone",
    "head_address",
    "is_space_manager",
    "belongs_to_group",
    "has_staff_representative",
)
