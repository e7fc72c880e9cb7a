from django.core.management.base import BaseCommand

from outbox.tasks import requeue_pending


class Command(BaseCommand):
    help = "Met à nouveau en file les courriels restés en attente (panne du broker, tâche perdue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=120, help="âge minimal en secondes (défaut 120)"
        )
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help=(
                "un envoi commencé depuis plus de ce nombre de secondes est celui d'un "
                "worker arrêté : le courriel est remis en file (défaut 900)"
            ),
        )

    def handle(self, *args, older_than, stale_after, **options):
        count = requeue_pending(older_than, stale_after)
        self.stdout.write(f"{count} courriel(s) remis en file.")
