from django.core.management.base import BaseCommand, CommandError

from profiles.imports import ImportFileError, import_establishments


class Command(BaseCommand):
    help = (
        "Importe les établissements d'un fichier CSV (; ou ,) ou Excel .xlsx (première feuille). "
        "Colonnes obligatoires : siret, raison_sociale, caisse, email ; facultatives : adresse, "
        "code_postal, ville, code_naf, effectif, preventeur_email, jours_perdus_tms, "
        "jours_perdus_lombalgies, annee_donnees. Toutes les lignes sont vérifiées d'abord : une "
        "ligne invalide n'importe rien, sauf avec --skip-invalid. Un SIRET déjà connu est mis à "
        "jour (colonnes présentes dans le fichier) sans toucher à son compte (mot de passe, "
        "activation, e-mail)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier .csv ou .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="importe les lignes valides et liste les lignes rejetées",
        )

    def handle(self, *args, file, dry_run, skip_invalid, **options):
        try:
            report = import_establishments(file, dry_run=dry_run, skip_invalid=skip_invalid)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for message in report.errors:
            self.stderr.write(message)
        if report.errors and not skip_invalid:
            raise CommandError(
                f"{report.rejected} ligne(s) invalide(s) : aucun établissement importé. "
                "Corrigez le fichier ou relancez avec --skip-invalid."
            )
        prefix = (
            "Simulation (--dry-run), rien n'est enregistré : " if dry_run else "Import terminé : "
        )
        self.stdout.write(prefix + report.summary() + ".")
