import time

from django.core.management.base import BaseCommand, CommandError

from parcours.volume import PRESS_KIT_REACHED, VolumeError, seed_volume


class Command(BaseCommand):
    help = (
        "Remplit une base vide avec N établissements répartis sur les caisses régionales "
        "(comptes, rattachements, profils complets, réponses, commentaires des trois voix, "
        "métadonnées de documents, préventeurs et validations), avec l'avancement du dossier "
        "de presse : "
        + ", ".join(f"{share:.0%} ont atteint l'étape {n}" for n, share in PRESS_KIT_REACHED.items())
        + ". Pour les mesures de charge (make bench) : jamais en production. Déterministe "
        "pour une même graine (--seed) ; refuse une base qui contient déjà des établissements, "
        "sauf avec --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--establishments", type=int, required=True, help="nombre N")
        parser.add_argument("--seed", type=int, default=0, help="graine du tirage (0 par défaut)")
        parser.add_argument(
            "--password",
            default=None,
            help="mot de passe commun à tous les comptes créés (sans : aucun ne peut se connecter)",
        )
        parser.add_argument(
            "--preventeurs-per-caisse", type=int, default=3, help="préventeurs par caisse (3)"
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="ajouter à une base qui contient déjà des établissements",
        )

    def handle(self, *args, establishments, seed, password, preventeurs_per_caisse, append, **options):
        if preventeurs_per_caisse < 0:
            raise CommandError("Le nombre de préventeurs par caisse ne peut pas être négatif.")
        started = time.perf_counter()
        try:
            report = seed_volume(
                count=establishments,
                seed=seed,
                password=password,
                preventeurs_per_caisse=preventeurs_per_caisse,
                append=append,
            )
        except VolumeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Base remplie en {time.perf_counter() - started:.1f} s : {report.summary()}"
        )
