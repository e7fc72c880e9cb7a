from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from parcours import kinds
from parcours.models import Block, Question, Step

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "content" / "parcours.yaml"


class Command(BaseCommand):
    help = (
        "Charge le contenu du parcours (étapes, blocs, questions) depuis un fichier YAML. "
        "Sans risque à relancer : les questions sont reconnues par leur code, leurs réponses "
        "sont conservées, une question absente du fichier est retirée, jamais supprimée. "
        "Les choix sont reconnus par leur code : un libellé reformulé garde les réponses ; "
        "un code encore utilisé par des réponses ne disparaît du fichier qu'avec "
        "--retire-choices."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--dry-run", action="store_true", help="Vérifier sans rien écrire.")
        parser.add_argument(
            "--no-templates",
            action="store_true",
            help="Ne pas produire les modèles de documents (build_templates).",
        )
        parser.add_argument(
            "--retire-choices",
            action="store_true",
            help="Accepter qu'un choix encore utilisé par des réponses disparaisse du "
            "fichier : ces réponses gardent leur code, affiché tel quel.",
        )

    def handle(self, *args, file, dry_run, no_templates, retire_choices, **options):
        content = self.read(Path(file))
        counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0, "choices": 0}
        with transaction.atomic():
            self.load(content, counts, retire_choices=retire_choices)
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run and not no_templates and "build_templates" in get_commands():
            call_command("build_templates", stdout=self.stdout, stderr=self.stderr)
        prefix = "(simulation) " if dry_run else ""
        self.stdout.write(
            f"{prefix}Parcours chargé : {counts['created']} créé(s), {counts['updated']} "
            f"modifié(s), {counts['unchanged']} inchangé(s), {counts['retired']} retiré(s)."
            + (
                f" {counts['choices']} choix retiré(s), réponses conservées."
                if counts["choices"]
                else ""
            )
        )

    def read(self, path: Path) -> dict:
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error}") from error
        except yaml.YAMLError as error:
            raise CommandError(f"{path} n'est pas un YAML valide : {error}") from error
        if not isinstance(content, dict) or not isinstance(content.get("steps"), list):
            raise CommandError(f"{path} : la clé « steps » (liste des étapes) est attendue.")
        codes = set()
        for step in content["steps"]:
            for block in step.get("blocks", []):
                for code in [block["code"], *(q["code"] for q in block.get("questions", []))]:
                    if code in codes:
                        raise CommandError(f"{path} : le code {code} est utilisé deux fois.")
                    codes.add(code)
                for question in block.get("questions", []):
                    if question.get("kind") not in Question.Kind.values:
                        raise CommandError(
                            f"{path} : {question['code']} a un type inconnu "
                            f"« {question.get('kind')} »."
                        )
                    if question["kind"] in Question.CHOICE_KINDS and not question.get("choices"):
                        raise CommandError(f"{path} : {question['code']} n'a pas de choix.")
                    problems = [
                        *kinds.choice_errors(question.get("choices") or []),
                        *self.number_errors(question),
                    ]
                    if problems:
                        raise CommandError(f"{path} : {question['code']} : {problems[0]}")
        return content

    @staticmethod
    def number_errors(question: dict) -> list[str]:
        number_kind = question.get("number_kind", Question.NumberKind.DECIMAL)
        if number_kind not in Question.NumberKind.values:
            return [f"number_kind « {number_kind} » inconnu (integer ou decimal)."]
        bounds = []
        for name in ("min_value", "max_value"):
            value = question.get(name)
            if value is not None and (isinstance(value, bool) or _decimal(value) is None):
                return [f"{name} n'est pas un nombre."]
            bounds.append(_decimal(value))
        if None not in bounds and bounds[0] > bounds[1]:
            return ["min_value est plus grand que max_value."]
        return []

    def load(self, content: dict, counts: dict, *, retire_choices: bool = False) -> None:
        now = timezone.now()
        seen_blocks, seen_questions = set(), set()
        for step_data in content["steps"]:
            step, _ = Step.objects.update_or_create(
                number=step_data["number"],
                defaults={
                    "short_title": step_data["short_title"],
                    "question": step_data["question"],
                    "introduction": step_data.get("introduction", ""),
                },
            )
            for block_order, block_data in enumerate(step_data.get("blocks", []), start=1):
                block, _ = Block.objects.update_or_create(
                    code=block_data["code"],
                    defaults={
                        "step": step,
                        "order": block_order,
                        "title": block_data["title"],
                        "retired_at": None,
                    },
                )
                seen_blocks.add(block.pk)
                for order, data in enumerate(block_data.get("questions", []), start=1):
                    seen_questions.add(
                        self.load_question(block, order, data, counts, retire_choices)
                    )
        counts["retired"] += (
            Question.objects.filter(retired_at__isnull=True)
            .exclude(pk__in=seen_questions)
            .update(retired_at=now)
        )
        Block.objects.filter(retired_at__isnull=True).exclude(pk__in=seen_blocks).update(
            retired_at=now
        )

    def load_question(self, block, order, data, counts, retire_choices) -> int:
        values = {
            "block_id": block.pk,
            "order": order,
            "text": data["text"].strip(),
            "guidance": (data.get("guidance") or "").strip(),
            "help_text": (data.get("help_text") or "").strip(),
            "kind": data["kind"],
            "choices": [
                {"code": choice["code"].strip(), "label": choice["label"].strip()}
                for choice in data.get("choices") or []
            ],
            "number_kind": data.get("number_kind", Question.NumberKind.DECIMAL),
            "min_value": _decimal(data.get("min_value", 0)),
            "max_value": _decimal(data.get("max_value")),
            "required": bool(data.get("required", True)),
            "accepts_files": bool(data.get("accepts_files", False)),
            "file_label": data.get("file_label", ""),
            "retired_at": None,
        }
        question = Question.objects.filter(code=data["code"]).first()
        if question is None:
            question = Question.objects.create(code=data["code"], **values)
            counts["created"] += 1
            return question.pk
        if all(getattr(question, name) == value for name, value in values.items()):
            counts["unchanged"] += 1
            return question.pk
        self.check_retired_choices(question, values["choices"], counts, retire_choices)
        for name, value in values.items():
            setattr(question, name, value)
        question.save()
        counts["updated"] += 1
        return question.pk

    @staticmethod
    def check_retired_choices(question, choices, counts, retire_choices) -> None:
        """A code that answers hold leaves the file only with --retire-choices."""
        removed = kinds.codes_of(question.choices) - kinds.codes_of(choices)
        in_use = sorted(removed & question.choice_codes_in_use()) if removed else []
        if in_use and not retire_choices:
            listed = ", ".join(f"« {code} »" for code in in_use)
            raise CommandError(
                f"{question.code} : des réponses enregistrent {listed}, absent(s) du fichier. "
                "Rien n'a été chargé. Gardez ce code (seul le libellé peut être reformulé) "
                "ou relancez avec --retire-choices pour le retirer : les réponses garderont "
                "le code, affiché tel quel."
            )
        counts["choices"] += len(in_use)


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
