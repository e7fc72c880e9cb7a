from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from attachments.models import QuestionTemplate
from attachments.services import discard_stored_files
from attachments.workbooks import EXAMPLE_VALUES, dashboard_workbook, quiz_workbook, to_bytes


def template_files():
    """(label, file name, order, content) of the documents offered on the dashboard question."""
    this_year = timezone.localdate().year
    blank_years = list(range(this_year - 2, this_year + 2))
    return [
        ("Télécharger et compléter la trame", "tableau_de_bord_tms_vierge.xlsx", 1,
         to_bytes(dashboard_workbook(blank_years))),
        ("Exemple", "Tableau de bord TMS (rempli) (XLSX).xlsx", 2,
         to_bytes(dashboard_workbook(sorted(EXAMPLE_VALUES), EXAMPLE_VALUES,
                                     establishment_name="Exemple – Ateliers de la Vallée"))),
        ("Quiz sanitaire et social", "quiz secteur sanitaire et social.xlsx", 3,
         to_bytes(quiz_workbook())),
    ]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Produit le tableau de bord TMS vierge, son exemple rempli et le quiz sanitaire et "
        "social (openpyxl) et les propose en téléchargement sur la question du tableau de "
        "bord (Q8). Relancer la commande remplace les fichiers, sans doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--question", default="Q8", help="Code de la question (Q8).")
        parser.add_argument("--output", help="Écrit aussi les classeurs dans ce dossier.")

    def handle(self, *args, question, output, **options):
        # The question model is the one templates belong to (attachments imports no parcours).
        Question = QuestionTemplate._meta.get_field("question").related_model
        files = template_files()
        if output:
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            for _label, filename, _order, content in files:
                (folder / filename).write_bytes(content)
        target = Question.objects.filter(code=question).first()
        if target is None:
            raise CommandError(
                f"La question {question} n'existe pas : chargez d'abord le parcours "
                "(python manage.py load_parcours)."
            )
        count = self.attach(target, files)
        self.stdout.write(f"{count} modèles proposés sur la question {question}.")

    @transaction.atomic
    def attach(self, question, files) -> int:
        stored = []
        try:
            for label, filename, order, content in files:
                # Matched by label too: a renamed file replaces its predecessor.
                template = (
                    QuestionTemplate.objects.filter(question=question, filename=filename).first()
                    or QuestionTemplate.objects.filter(question=question, label=label).first()
                )
                previous = template.file.name if template else None
                template = template or QuestionTemplate(question=question, filename=filename)
                template.label, template.order, template.filename = label, order, filename
                template.file.save(filename, ContentFile(content), save=False)
                stored.append(template.file.name)
                template.save()
                if previous:
                    transaction.on_commit(lambda name=previous: discard_stored_files([name]))
        except Exception:
            discard_stored_files(stored)
            raise
        return len(files)
