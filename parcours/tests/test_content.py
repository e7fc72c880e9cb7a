import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parcours.models import Answer, Block, Question, Step

CONTENT = Path(__file__).resolve().parents[1] / "content" / "parcours.yaml"


def load(path=None, *options):
    out = io.StringIO()
    call_command(
        "load_parcours", *([str(path)] if path else []), "--no-templates", *options, stdout=out
    )
    return out.getvalue()


def test_content_has_four_steps_with_enough_blocks_questions_and_every_kind(db):
    load()
    assert list(Step.objects.values_list("number", "short_title")) == [
        (1, "En quoi suis-je concerné ?"),
        (2, "Par quoi commencer ?"),
        (3, "Comment agir ?"),
        (4, "Quels résultats pour mon entreprise ?"),
    ]
    assert Step.objects.get(number=1).question == (
        "En quoi suis-je concerné par les troubles musculo-squelettiques (TMS) et les lombalgies ?"
    )
    for step in Step.objects.all():
        assert step.blocks.count() >= 2
        assert Question.objects.filter(block__step=step).count() >= 5
    assert set(Question.objects.values_list("kind", flat=True)) == set(Question.Kind.values)
    q8 = Question.objects.get(code="Q8")
    assert q8.block.step.number == 1
    assert q8.accepts_files and q8.file_label == "Joindre votre tableau de bord"
    assert q8.text.startswith("Elaborez votre tableau de bord afin de suivre l'évolution")


def test_loading_twice_changes_nothing(db):
    load()
    before = list(Question.objects.values_list("pk", "code", "text", "order", "block_id"))
    output = load()
    assert "0 créé(s), 0 modifié(s)" in output
    assert list(Question.objects.values_list("pk", "code", "text", "order", "block_id")) == before
    assert Block.objects.count() == 8


def test_reload_keeps_answers_and_retires_removed_questions(db, establishment_a, tmp_path):
    load()
    q5 = Question.objects.get(code="Q5")
    q6 = Question.objects.get(code="Q6")
    Answer.objects.create(establishment=establishment_a, question=q5, value=12)
    Answer.objects.create(establishment=establishment_a, question=q6, value=3)
    # Q6 is removed from the file and Q5's wording changes.
    text = CONTENT.read_text(encoding="utf-8")
    start = text.index('          - code: "Q6"')
    end = text.index('          - code: "Q7"')
    text = text[:start] + text[end:]
    text = text.replace(
        "Quel est l'effectif de l'établissement pris en compte",
        "Quel effectif retenez-vous",
    )
    changed = tmp_path / "parcours.yaml"
    changed.write_text(text, encoding="utf-8")

    output = load(changed)

    assert "1 retiré(s)" in output
    q5.refresh_from_db()
    q6.refresh_from_db()
    assert q5.text.startswith("Quel effectif retenez-vous") and q5.retired_at is None
    assert q6.retired_at is not None
    assert not Question.objects.active().filter(code="Q6").exists()
    assert Answer.objects.get(question=q5).value == 12
    assert Answer.objects.get(question=q6).value == 3

    load()  # the question comes back with its answer
    q6.refresh_from_db()
    assert q6.retired_at is None
    assert Answer.objects.get(question=q6).value == 3


def test_dry_run_writes_nothing(db):
    output = load(None, "--dry-run")
    assert output.startswith("(simulation)")
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("steps: nope", "la clé « steps »"),
        ("[unclosed", "n'est pas un YAML valide"),
        (
            "steps:\n- number: 1\n  short_title: a\n  question: b\n  blocks:\n"
            "  - code: B\n    title: t\n    questions:\n"
            "    - {code: Q1, kind: weird, text: x}\n",
            "type inconnu",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_message(db, tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        load(path)
    assert not Step.objects.exists()
