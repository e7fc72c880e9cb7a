from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.groups import sync_staff_groups


class Command(BaseCommand):
    help = (
        "Crée les groupes « Préventeurs » et « Équipe nationale » et leur donne exactement "
        "leurs permissions (accounts/groups.py) ; sans effet s'ils sont déjà à jour."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        counts = sync_staff_groups()
        for name, count in counts.items():
            self.stdout.write(f"Groupe « {name} » : {count} permission(s).")
