from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP, User
from accounts.services import set_totp_secret
from profiles.models import Caisse, Establishment, Membership

DEMO_PASSWORD = "Demo-TmsPros-2026!"
DEMO_REPRESENTATIVE = "cse@ateliers-alpha.example.fr"
# The demo staff accounts' second factor: fixed, documented TOTP secrets
# (base32), one per account. Demo only: a real account sets up its own.
DEMO_TOTP_SECRETS = {
    "preventeur@cramif.example.fr": "PREVENTEURCRAMIFDEMOTMSPROS23456",
    "equipe.nationale@tmspros.example.fr": "EQUIPENATIONALEDEMOTMSPROS234567",
}

DEMO_ESTABLISHMENTS = [
    # siret, name, caisse, complete profile?, figures (days TMS, days low-back, year)
    ("73282932000074", "Ateliers Alpha", "CRAMIF", True, (169, 473, 2025)),
    ("55210055400013", "Boulangerie Bêta", "CARSAT_HDF", False, (None, None, None)),
    ("44306184100047", "Logistique Gamma", "CRAMIF", True, (1240, 310, 2025)),
    ("38012986600014", "Clinique Delta", "CARSAT_HDF", True, (2890, 1105, 2024)),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les identifiants de démonstration."

    @transaction.atomic
    def handle(self, *args, **options):
        # The programme's content (and its templates) first: idempotent.
        call_command("load_parcours", stdout=self.stdout)
        preventeur = self._user(
            "preventeur@cramif.example.fr",
            email="preventeur@cramif.example.fr",
            kind=User.Kind.PREVENTEUR,
            is_staff=True,
            caisse=Caisse.objects.get(code="CRAMIF"),
            first_name="Paul",
            last_name="Durand",
        )
        national = self._user(
            "equipe.nationale@tmspros.example.fr",
            email="equipe.nationale@tmspros.example.fr",
            kind=User.Kind.NATIONAL,
            is_staff=True,
            is_superuser=True,
            first_name="Équipe",
            last_name="nationale",
        )
        self._staff(preventeur, PREVENTEURS_GROUP)
        self._staff(national, NATIONAL_TEAM_GROUP)
        for siret, name, code, complete, (tms, lumbago, year) in DEMO_ESTABLISHMENTS:
            user = self._user(
                siret, kind=User.Kind.ESTABLISHMENT, email=f"contact-{siret}@example.fr"
            )
            caisse = Caisse.objects.get(code=code)
            # A demo profile left incomplete stays so (the gate can be shown).
            profile = (
                {
                    "head_last_name": "Martin",
                    "head_first_name": "Claire",
                    "head_function": "Directrice",
                    "head_email": "claire.martin@example.fr",
                    "head_phone": "01 02 03 04 05",
                    "head_address": "12 rue des Ateliers, 75011 Paris",
                    "is_space_manager": True,
                    "belongs_to_group": False,
                    "has_staff_representative": True,
                }
                if complete
                else {}
            )
            establishment, _ = Establishment.objects.update_or_create(
                siret=siret,
                defaults={
                    "name": name,
                    "caisse": caisse,
                    "address": "12 rue des Ateliers",
                    "postcode": "75011",
                    "town": "Paris",
                    "preventeur": preventeur if code == "CRAMIF" else None,
                    "days_lost_tms": tms,
                    "days_lost_lumbago": lumbago,
                    "figures_year": year,
                    **profile,
                },
            )
            Membership.objects.get_or_create(
                establishment=establishment,
                user=user,
                defaults={"role": Membership.Role.ESTABLISHMENT},
            )
        representative = self._representative()
        self._followup(preventeur, representative)
        # The seed's home page: a national and a Cramif news item, two documents.
        from news.demo import load_demo_content

        load_demo_content(by=national, caisses={"CRAMIF": preventeur.caisse})
        # Printed once the demo's e-mails (delivered after commit) are out of the way.
        transaction.on_commit(lambda: self._print_logins(preventeur, national))

    def _print_logins(self, preventeur, national):
        self.stdout.write(
            f"Données de démonstration chargées. Identifiants (mot de passe : {DEMO_PASSWORD}) :"
        )
        for siret, name, code, complete, _ in DEMO_ESTABLISHMENTS:
            state = "profil complet" if complete else "profil à compléter"
            self.stdout.write(f"  établissement {name} ({code}, {state}) : {siret}")
        self.stdout.write(
            f"  représentant du personnel (CSE) d'Ateliers Alpha : {DEMO_REPRESENTATIVE}"
        )
        self.stdout.write(
            "  suivi : Ateliers Alpha a l'étape 1 validée et l'étape 2 en attente de validation, "
            "Logistique Gamma l'étape 1 modifiée depuis la validation"
        )
        self.stdout.write(f"  préventeur Cramif (admin /admin/) : {preventeur.username}")
        self.stdout.write(
            f"  équipe nationale (admin /admin/, contenu du parcours) : {national.username}"
        )
        self._print_second_factor()

    def _representative(self):
        """A staff representative (CSE) of Ateliers Alpha, with their own login."""
        user = self._user(
            DEMO_REPRESENTATIVE,
            email=DEMO_REPRESENTATIVE,
            kind=User.Kind.REPRESENTATIVE,
            first_name="Rémi",
            last_name="Moreau",
        )
        Membership.objects.get_or_create(
            establishment=Establishment.objects.get(siret="73282932000074"),
            user=user,
            defaults={"role": Membership.Role.REPRESENTATIVE, "mandate": Membership.Mandate.CSE},
        )
        return user

    def _followup(self, preventeur, representative):
        """What the back office shows: steps answered, commented, waiting, validated."""
        from parcours.demo import seed_followup

        alpha = Establishment.objects.get(siret="73282932000074")
        gamma = Establishment.objects.get(siret="44306184100047")
        seed_followup(establishment=alpha, preventeur=preventeur, representative=representative)
        seed_followup(establishment=gamma, preventeur=preventeur, modified=True)

    def _staff(self, user, group_name):
        """A demo staff account: its group and its documented TOTP secret."""
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
        set_totp_secret(user, DEMO_TOTP_SECRETS[user.username])

    def _print_second_factor(self):
        self.stdout.write(
            "Double authentification des comptes de l'administration : après le mot de passe, "
            "le code à 6 chiffres de ces clés secrètes (démonstration uniquement) :"
        )
        for username, secret in DEMO_TOTP_SECRETS.items():
            self.stdout.write(f"  {username} : {secret}")
        example = next(iter(DEMO_TOTP_SECRETS.values()))
        self.stdout.write(
            "  Saisissez la clé dans une application d'authentification (« saisir une clé », "
            "basée sur l'heure), ou calculez le code :\n"
            f"    python -c \"import pyotp; print(pyotp.TOTP('{example}').now())\"  "
            "(pyotp : make install-dev, ou pip install pyotp)\n"
            f"    oathtool --totp -b {example}"
        )

    def _user(self, username, **fields):
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            # A demo account has its documented password: it is active, and
            # send_activation_emails must not offer it a link to choose another.
            user.activated_at = user.activated_at or timezone.now()
            user.save()
        return user
