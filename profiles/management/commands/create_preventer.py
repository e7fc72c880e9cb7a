from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.services import StaffAccountError, create_preventeur
from profiles.models import Caisse


class Command(BaseCommand):
    help = (
        "Crée le compte d'un préventeur d'une caisse (identifiant = son e-mail, accès à "
        "l'administration, groupe « Préventeurs ») et lui envoie son e-mail d'activation."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--caisse", required=True, help="code de la caisse, par exemple CRAMIF")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)

    def handle(self, *args, email, caisse, first_name, last_name, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Adresse e-mail « {email} » invalide.") from exc
        caisse_obj = Caisse.objects.filter(code=caisse.upper()).first()
        if caisse_obj is None:
            raise CommandError(f"Caisse « {caisse} » inconnue.")
        try:
            user = create_preventeur(
                email=email, first_name=first_name, last_name=last_name, caisse=caisse_obj
            )
        except StaffAccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Préventeur {user.get_full_name()} ({email}) créé pour {caisse_obj.name} ; "
            "e-mail d'activation envoyé."
        )
