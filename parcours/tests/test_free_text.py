"""Step answers, comments of every voice and document descriptions are stored
without control or invisible characters (U+202E, U+200B, BEL, ESC, NUL), the
line breaks of a text area kept."""

import pytest
from django.test import Client
from django.urls import reverse

from attachments.models import Attachment
from attachments.tests import files
from parcours.models import Answer, Comment, Question

from .conftest import form_data

STEP1 = reverse("parcours:step", args=[1])
HIDDEN = "\u202e\u200b\x07\x1b\x00"


def answer(establishment, code):
    return Answer.objects.get(establishment=establishment, question__code=code).value


def test_text_answers_comments_and_descriptions_lose_invisible_characters(
    client_a, establishment_a, parcours
):
    block = Question.objects.get(code="Q1").block
    data = form_data(
        establishment_a,
        1,
        {"Q4": f"Première ligne{HIDDEN}\r\n\tSeconde ligne"},
        comments={block.pk: f"Notre{HIDDEN} avis\nsur deux lignes"},
    )
    data["files-Q8"] = files.upload("tableau de bord.pdf", files.pdf_bytes())
    data["description-Q8"] = f"Tableau{HIDDEN} de bord"
    response = client_a.post(STEP1, data)
    assert response.status_code == 302
    assert answer(establishment_a, "Q4") == "Première ligne\n\tSeconde ligne"
    comment = Comment.objects.get(voice=Comment.Voice.ESTABLISHMENT, block=block)
    assert comment.text == "Notre avis\nsur deux lignes"
    assert Attachment.objects.get(establishment=establishment_a).description == "Tableau de bord"


def test_a_one_line_answer_loses_them_and_one_made_only_of_them_is_no_answer(
    client_a, establishment_a, parcours
):
    step2 = reverse("parcours:step", args=[2])
    client_a.post(step2, form_data(establishment_a, 2, {"Q9": f"Claire{HIDDEN}\n Martin"}))
    assert answer(establishment_a, "Q9") == "Claire Martin"
    client_a.post(step2, form_data(establishment_a, 2, {"Q9": "\u202e\u200b\x07"}))
    assert answer(establishment_a, "Q9") is None


def test_the_representatives_comment_loses_invisible_characters(
    representative_a, establishment_a, parcours
):
    block = Question.objects.get(code="Q1").block
    client = Client()
    client.force_login(representative_a)
    data = form_data(establishment_a, 1)
    data[f"comment_representatives_{block.pk}"] = f"Avis{HIDDEN} du CSE"
    assert client.post(STEP1, data).status_code == 302
    comment = Comment.objects.get(voice=Comment.Voice.REPRESENTATIVES, block=block)
    assert comment.text == "Avis du CSE"


@pytest.mark.django_db
def test_the_caisse_comment_loses_invisible_characters(
    backoffice_a, establishment_a, client_a, parcours
):
    block = Question.objects.get(code="Q1").block
    client_a.post(STEP1, form_data(establishment_a, 1))
    backoffice_a.post(
        reverse("admin:profiles_establishment_follow", args=[establishment_a.pk]),
        {"step": "1", "action": "comments", f"caisse_comment_{block.pk}": f"Bien{HIDDEN}\nvu"},
    )
    assert Comment.objects.get(voice=Comment.Voice.CAISSE, block=block).text == "Bien\nvu"


def test_text_stored_before_the_normaliser_re_posted_untouched_is_unchanged(
    client_a, establishment_a, parcours
):
    """A text area posts CRLF; what was stored before today kept it (and doubled
    spaces): re-posting it as it is shown makes no new version, no change."""
    from parcours.models import StepProgress

    block = Question.objects.get(code="Q1").block
    client_a.post(STEP1, form_data(establishment_a, 1))
    q4 = Answer.objects.get(establishment=establishment_a, question__code="Q4")
    Answer.objects.filter(pk=q4.pk).update(value="Ligne un\r\nLigne  deux ")
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice=Comment.Voice.ESTABLISHMENT,
        text="Notre avis\r\nancien",
        author=establishment_a.account,
    )
    version = StepProgress.objects.get(establishment=establishment_a, step__number=1).version
    data = form_data(
        establishment_a,
        1,
        {"Q4": "Ligne un\r\nLigne  deux "},
        comments={block.pk: "Notre avis\r\nancien"},
    )
    assert client_a.post(STEP1, data).status_code == 302
    assert Comment.objects.filter(block=block, voice=Comment.Voice.ESTABLISHMENT).count() == 1
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.version == version


@pytest.mark.django_db
def test_an_old_caisse_comment_re_posted_untouched_sends_no_e_mail(
    backoffice_a,
    establishment_a,
    client_a,
    parcours,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    block = Question.objects.get(code="Q1").block
    client_a.post(STEP1, form_data(establishment_a, 1))
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice=Comment.Voice.CAISSE,
        text="Bien\r\nvu",
        author=establishment_a.preventeur,
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        backoffice_a.post(
            reverse("admin:profiles_establishment_follow", args=[establishment_a.pk]),
            {"step": "1", "action": "comments", f"caisse_comment_{block.pk}": "Bien\r\nvu"},
        )
    assert Comment.objects.filter(block=block, voice=Comment.Voice.CAISSE).count() == 1
    assert mailoutbox == []
