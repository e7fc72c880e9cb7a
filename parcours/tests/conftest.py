"""Fixtures of the parcours tests: the real programme content, filled answers."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from parcours.models import Question, StepProgress

# A complete, valid answer for every kind of question.
GOOD_VALUES = {
    Question.Kind.YES_NO: "oui",
    Question.Kind.SHORT_TEXT: "Claire Martin, directrice",
    Question.Kind.LONG_TEXT: "Les postes d'emballage et de préparation de commandes.",
    Question.Kind.NUMBER: "42",
    Question.Kind.DATE: "2025-03-14",
}


@pytest.fixture
def parcours(db):
    """The programme of parcours/content/parcours.yaml, loaded."""
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())


def step_questions(number):
    return list(Question.objects.active().filter(block__step__number=number))


def form_data(establishment, number, overrides=None, *, fill=True, comments=None):
    """The POST of step `number` as a browser would send it, every question answered.

    overrides: {question code: posted value (str or list)}; None removes the key.
    """
    progress = StepProgress.objects.filter(establishment=establishment, step__number=number).first()
    data = {"version": str(progress.version if progress else 0)}
    for question in step_questions(number):
        if question.kind == Question.Kind.DOCUMENTS or not fill:
            continue
        if question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            value = question.choices[0]["code"]
            if question.kind == Question.Kind.MULTIPLE_CHOICE:
                value = [value]
        else:
            value = GOOD_VALUES[question.kind]
        data[f"q_{question.pk}"] = value
    for code, value in (overrides or {}).items():
        question = Question.objects.get(code=code)
        if value is None:
            data.pop(f"q_{question.pk}", None)
        else:
            data[f"q_{question.pk}"] = value
    for block_id, text in (comments or {}).items():
        data[f"comment_{block_id}"] = text
    return data


def attach(establishment, code, name="tableau de bord.xlsx"):
    """A document deposited on question `code` (what the attachments app would store)."""
    from attachments.models import Attachment

    return Attachment.objects.create(
        establishment=establishment,
        question=Question.objects.get(code=code),
        file=ContentFile(b"PK fake", name=name),
        original_name=name,
        description="",
        size=7,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        uploaded_by=establishment.account,
    )


PREVENTEUR_PERMISSIONS = [
    "profiles.view_establishment",
    "profiles.change_establishment",
    "profiles.send_activation",
    "profiles.unlock_account",
    "profiles.assign_preventeur",
    "profiles.export_establishments",
    "parcours.view_stepprogress",
    "parcours.add_comment",
    "parcours.validate_step",
    "parcours.send_back_step",
]


def as_staff(user):
    """A test client for a staff member who completed the second factor."""
    from django.test import Client

    import conftest

    if hasattr(conftest, "give_second_factor"):
        conftest.give_second_factor(user)
    client = Client()
    client.force_login(user)
    return client


def grant(user, codenames=PREVENTEUR_PERMISSIONS):
    """The permissions the "Préventeurs" group holds, given to `user` directly."""
    from django.contrib.auth.models import Permission

    for dotted in codenames:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def backoffice_a(preventeur_a):
    """preventeur_a's client in the back office, with the group's permissions."""
    return as_staff(grant(preventeur_a))
