from django.conf import settings
from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = (
        "Supprime les courriels envoyés depuis plus de OUTBOX_RETENTION_DAYS jours "
        "(90 par défaut) ; les courriels en attente ou en échec ne sont jamais supprimés."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans supprimer.")

    def handle(self, *args, dry_run, **options):
        if dry_run:
            count, verb = services.sent_past_retention().count(), "à supprimer"
        else:
            count, verb = services.purge_sent(), "supprimés"
        days = settings.OUTBOX_RETENTION_DAYS
        self.stdout.write(f"{count} courriels envoyés depuis plus de {days} jours {verb}.")
