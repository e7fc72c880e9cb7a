"""Migration 0003: choices and answers stored by label become stored by code."""

from importlib import import_module

from django.apps import apps

from parcours.models import Answer, Question

migration = import_module("parcours.migrations.0003_choices_by_code")

OLD_Q3 = ["Faible", "Modéré", "Important", "Je ne sais pas encore"]


def test_todays_labels_get_the_codes_of_the_content_file(parcours):
    """Loading parcours.yaml after the migration changes no code."""
    coded = [c for q in Question.objects.all() for c in q.choices]
    assert len(coded) == len(migration.KNOWN_CODES)
    for choice in coded:
        assert migration.code_for(choice["label"]) == choice["code"]


def test_other_labels_get_their_slug_unique_within_the_question():
    assert migration.coded_choices(
        ["Très bien", "Très bien !", "???", {"code": "x", "label": "X"}]
    ) == [
        {"code": "tres-bien", "label": "Très bien"},
        {"code": "tres-bien-2", "label": "Très bien !"},
        {"code": "choix", "label": "???"},
        {"code": "x", "label": "X"},
    ]


def test_the_migration_turns_labels_into_codes_in_choices_and_answers(establishment_a, parcours):
    q2, q3, q5 = (Question.objects.get(code=code) for code in ("Q2", "Q3", "Q5"))
    # The data as it was before the migration: labels everywhere.
    Question.objects.filter(pk=q3.pk).update(choices=OLD_Q3)
    Question.objects.filter(pk=q2.pk).update(choices=["Arrêts de travail", "Autre, à préciser"])
    single = Answer.objects.create(establishment=establishment_a, question=q3, value="Modéré")
    multiple = Answer.objects.create(
        establishment=establishment_a,
        question=q2,
        value=["Arrêts de travail", "Autre, à préciser", "Libellé disparu"],
    )
    number = Answer.objects.create(establishment=establishment_a, question=q5, value=12)
    updated_at = single.updated_at

    migration.forward(apps, None)

    q2.refresh_from_db()
    q3.refresh_from_db()
    assert q3.choices == [
        {"code": "faible", "label": "Faible"},
        {"code": "modere", "label": "Modéré"},
        {"code": "important", "label": "Important"},
        {"code": "ne-sait-pas", "label": "Je ne sais pas encore"},
    ]
    assert q2.choices == [
        {"code": "arrets", "label": "Arrêts de travail"},
        {"code": "autre-a-preciser", "label": "Autre, à préciser"},
    ]
    single.refresh_from_db()
    multiple.refresh_from_db()
    number.refresh_from_db()
    assert single.value == "modere"
    assert single.updated_at == updated_at  # converting is not answering
    # An answer already orphaned keeps its value, shown as is.
    assert multiple.value == ["arrets", "autre-a-preciser", "Libellé disparu"]
    assert number.value == 12

    migration.forward(apps, None)  # twice: nothing more changes
    single.refresh_from_db()
    assert single.value == "modere"

    migration.backward(apps, None)
    q3.refresh_from_db()
    single.refresh_from_db()
    multiple.refresh_from_db()
    assert q3.choices == OLD_Q3
    assert single.value == "Modéré"
    assert multiple.value == ["Arrêts de travail", "Autre, à préciser", "Libellé disparu"]
