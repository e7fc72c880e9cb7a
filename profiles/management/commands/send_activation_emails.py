from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import send_activation_email
from accounts.siret import normalize_siret
from profiles.models import Caisse, Membership


class Command(BaseCommand):
    help = (
        "Envoie l'e-mail d'activation aux comptes d'établissement jamais activés et qui n'en ont "
        "pas encore reçu (tous, avec --resend). Filtres : --siret (plusieurs possibles), --caisse."
    )

    def add_arguments(self, parser):
        parser.add_argument("--siret", action="append", default=[], help="SIRET de l'établissement")
        parser.add_argument("--caisse", help="code de la caisse, par exemple CRAMIF")
        parser.add_argument(
            "--resend",
            action="store_true",
            help="renvoie aussi aux comptes qui ont déjà reçu un e-mail d'activation",
        )

    def handle(self, *args, siret, caisse, resend, **options):
        accounts = User.objects.filter(
            kind=User.Kind.ESTABLISHMENT,
            is_active=True,
            activated_at__isnull=True,
            memberships__role=Membership.Role.ESTABLISHMENT,
        ).distinct().order_by("username")
        if siret:
            accounts = accounts.filter(username__in=[normalize_siret(value) for value in siret])
        if caisse:
            if not Caisse.objects.filter(code=caisse.upper()).exists():
                raise CommandError(f"Caisse « {caisse} » inconnue.")
            accounts = accounts.filter(
                memberships__role=Membership.Role.ESTABLISHMENT,
                memberships__establishment__caisse__code=caisse.upper(),
            )
        if not resend:
            accounts = accounts.filter(activation_sent_at__isnull=True)

        sent = without_email = 0
        for user in accounts.iterator():
            if not user.email:
                without_email += 1
                self.stderr.write(f"{user.username} : aucune adresse e-mail, e-mail non envoyé.")
                continue
            with transaction.atomic():  # each e-mail is queued after its own commit
                send_activation_email(user)
            sent += 1
        self.stdout.write(f"{sent} e-mail(s) d'activation envoyé(s).")
        if without_email:
            self.stdout.write(f"{without_email} compte(s) sans adresse e-mail.")
