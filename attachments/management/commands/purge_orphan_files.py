from datetime import timedelta

from django.core.management.base import BaseCommand

from attachments.services import purge_orphan_files


class Command(BaseCommand):
    help = (
        "Supprime du stockage les fichiers de pièces jointes et de modèles qu'aucune ligne ne "
        "référence plus (enregistrement annulé après l'écriture du fichier). Seuls les fichiers "
        "de plus d'une heure sont concernés, pour ne pas toucher un envoi en cours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Liste sans supprimer.")
        parser.add_argument(
            "--older-than-minutes", type=int, default=60, help="Âge minimal (60 minutes)."
        )

    def handle(self, *args, dry_run, older_than_minutes, **options):
        orphans = purge_orphan_files(
            older_than=timedelta(minutes=older_than_minutes), dry_run=dry_run
        )
        for name in orphans:
            self.stdout.write(name)
        verb = "à supprimer" if dry_run else "supprimés"
        self.stdout.write(f"{len(orphans)} fichiers orphelins {verb}.")
