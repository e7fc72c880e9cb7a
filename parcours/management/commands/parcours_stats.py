import csv

from django.core.management.base import BaseCommand, CommandError

from parcours.stats import Figure, Statistics, statistics_by_caisse
from profiles.models import Caisse, Establishment


def _percent(figure: Figure) -> str:
    return "" if figure.percent is None else str(figure.percent)


def _days(delta) -> str:
    """A duration in days, one decimal, French decimal comma (csv for a spreadsheet)."""
    if delta is None:
        return ""
    return f"{delta.total_seconds() / 86400:.1f}".replace(".", ",")


class Command(BaseCommand):
    help = (
        "Affiche les chiffres du suivi (les mêmes que la page Statistiques) : établissements "
        "importés, activés, au profil complet, et pour chaque étape commencées, complètes, "
        "validées (nombre et part des importés), le délai médian de validation et le nombre "
        "d'étapes en attente de validation ; pour une caisse (--caisse) ou chacune, puis le "
        "total national. --format csv : une ligne d'en-tête, une ligne par caisse, la ligne du "
        "total national (séparateur « ; », décimales à virgule)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--caisse", help="code de la caisse, par exemple CRAMIF")
        parser.add_argument(
            "--format", dest="output_format", choices=["table", "csv"], default="table"
        )

    def handle(self, *args, caisse, output_format, **options):
        caisses = Caisse.objects.order_by("code")
        if caisse:
            caisses = caisses.filter(code=caisse.upper())
            if not caisses.exists():
                raise CommandError(f"Caisse « {caisse} » inconnue.")
        rows, total = statistics_by_caisse(Establishment.objects.all(), caisses=caisses)
        if output_format == "csv":
            self.write_csv(rows, total)
        else:
            self.write_table(rows, total)

    # --- csv ---------------------------------------------------------------------
    def write_csv(self, rows: list[Statistics], total: Statistics) -> None:
        writer = csv.writer(self.stdout, delimiter=";", lineterminator="\n")
        header = [
            "code",
            "caisse",
            "importés",
            "activés",
            "activés (%)",
            "profil complet",
            "profil complet (%)",
        ]
        for step in total.steps:
            for name in ("commencée", "complète", "validée"):
                header += [f"étape {step.number} {name}", f"étape {step.number} {name} (%)"]
        header += ["en attente de validation", "délai médian de validation (jours)"]
        writer.writerow(header)
        for figures in [*rows, total]:
            line = [
                figures.caisse.code if figures.caisse else "",
                figures.label,
                figures.imported,
                figures.activated.count,
                _percent(figures.activated),
                figures.profile_complete.count,
                _percent(figures.profile_complete),
            ]
            for step in figures.steps:
                for figure in (step.started, step.complete, step.validated):
                    line += [figure.count, _percent(figure)]
            line += [figures.waiting_count, _days(figures.median_validation_delay)]
            writer.writerow(line)

    # --- table -------------------------------------------------------------------
    def write_table(self, rows: list[Statistics], total: Statistics) -> None:
        empty = [figures for figures in rows if not figures.imported]
        for figures in rows:
            if figures.imported:
                self.write_block(figures)
        for figures in empty:
            self.stdout.write(
                f"{figures.label} ({figures.caisse.code}) : aucun établissement importé."
            )
        if empty:
            self.stdout.write("")
        self.write_block(total)
        self.stdout.write(
            f"{len(rows)} caisse(s), {total.imported} établissement(s) en tout, "
            f"{total.waiting_count} étape(s) en attente de validation."
        )

    def write_block(self, figures: Statistics) -> None:
        title = figures.label + (f" ({figures.caisse.code})" if figures.caisse else "")
        write = self.stdout.write
        write(title)
        write("-" * len(title))
        write(f"Établissements importés     {figures.imported:>5}")
        write(f"Compte activé               {_count(figures.activated)}")
        write(f"Profil complet              {_count(figures.profile_complete)}")
        write(f"En attente de validation    {figures.waiting_count:>5}")
        write(f"Délai médian de validation  {figures.median_validation_delay_label:>5}")
        write("")
        write(
            f"{'Étape':<5}  {'commencée':>13}  {'complète':>13}  {'validée':>13}  "
            f"{'en attente':>10}  {'délai médian':>12}"
        )
        for step in figures.steps:
            write(
                f"{step.number:>5}  {_count(step.started)}  {_count(step.complete)}  "
                f"{_count(step.validated)}  {step.waiting:>10}  "
                f"{step.median_validation_delay_label:>12}"
            )
        write("")


def _count(figure: Figure) -> str:
    """ "    4 (100 %)", "    2  (50 %)": a count and its share, 13 characters."""
    return f"{figure.count:>5} {'(' + figure.percent_label + ')':>7}"
