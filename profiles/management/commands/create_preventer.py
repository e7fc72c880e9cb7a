from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from accounts.services import send_activation_email
from profiles.models import Caisse


class Command(BaseCommand):
    help = (
        "Crée le compte d'un préventeur d'une caisse (identifiant = son e-mail, accès à "
        "l'administration) et lui envoie son e-mail d'activation."
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
        if User.objects.filter(username__iexact=email).exists():
            raise CommandError(f"Un compte existe déjà avec l'identifiant {email}.")
        with transaction.atomic():
            user = User.objects.create(
                username=email,
                email=email,
                kind=User.Kind.PREVENTEUR,
                caisse=caisse_obj,
                is_staff=True,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                password=make_password(None),
            )
            send_activation_email(user)
        self.stdout.write(
            f"Préventeur {user.get_full_name()} ({email}) créé pour {caisse_obj.name} ; "
            "e-mail d'activation envoyé."
        )
