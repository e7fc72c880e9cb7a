"""What staff representatives may do on the steps, field by field, and what they may not."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from attachments.tests import files
from conftest import make_representative
from parcours.models import Answer, Comment, Question, StepProgress
from profiles.models import Membership
from profiles.permissions import Action, allowed_actions

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def answered(client_a, establishment_a, parcours):
    client_a.post(STEP1, form_data(establishment_a, 1))
    return StepProgress.objects.get(establishment=establishment_a, step__number=1)


def q(code):
    return Question.objects.get(code=code)


# --- The rule, as a matrix ---------------------------------------------------------


@pytest.fixture
def people(establishment_a, establishment_b, representative_a, preventeur_a, preventeur_b):
    other_rep = make_representative(establishment_b, email="cse.beta@example.fr")
    withdrawn = make_representative(establishment_a, email="ancien.cse@example.fr")
    Membership.objects.filter(user=withdrawn).update(is_active=False)
    return {
        "establishment": establishment_a.account,
        "representative": representative_a,
        "other_representative": other_rep,
        "withdrawn_representative": withdrawn,
        "preventeur_of_its_caisse": preventeur_a,
        "preventeur_of_another_caisse": preventeur_b,
    }


WRITES = {
    "establishment": {Action.ANSWER, Action.COMMENT_ESTABLISHMENT, Action.ADD_DOCUMENT,
                      Action.DELETE_DOCUMENT, Action.EDIT_PROFILE,
                      Action.INVITE_REPRESENTATIVES},
    "representative": {Action.COMMENT_REPRESENTATIVES, Action.MARK_SEEN},
    "other_representative": set(),
    "withdrawn_representative": set(),
    "preventeur_of_its_caisse": {Action.COMMENT_CAISSE},
    "preventeur_of_another_caisse": set(),
}  # fmt: skip


@pytest.mark.parametrize("who", list(WRITES))
def test_what_each_person_may_write_in_establishment_as_space(people, establishment_a, who):
    actions = allowed_actions(people[who], establishment_a)
    assert actions - {Action.READ, Action.EXPORT} == WRITES[who]
    readers = {"establishment", "representative", "preventeur_of_its_caisse"}
    assert (Action.READ in actions) == (who in readers)


@pytest.mark.parametrize(
    "who", ["withdrawn_representative", "preventeur_of_its_caisse", "preventeur_of_another_caisse"]
)
def test_the_step_pages_are_the_members_only(people, parcours, who):
    assert client_of(people[who]).get(STEP1).status_code == 404


def test_another_establishments_representative_reaches_only_their_own(
    people, establishment_a, establishment_b, answered
):
    response = client_of(people["other_representative"]).get(STEP1)
    assert response.wsgi_request.establishment == establishment_b
    assert "Ateliers Alpha" not in response.content.decode()


# --- The representative on the step page -------------------------------------------


def test_the_representative_sees_the_answers_read_only(
    representative_a, establishment_a, answered
):
    html = unescape(client_of(representative_a).get(STEP1).content.decode())
    q1 = q("Q1")
    assert f'name="q_{q1.pk}"' in html and "disabled" in html
    assert 'name="files-Q8"' not in html  # no deposit
    assert f'name="comment_{q1.block_id}"' not in html  # not the establishment's voice
    assert f'name="comment_representatives_{q1.block_id}"' in html
    assert "Etape vue par CSE / CHSCT / DP" in html
    assert "ENREGISTRER" in html


def test_a_forged_post_of_every_other_field_changes_nothing(
    representative_a, establishment_a, answered, parcours
):
    attach(establishment_a, "Q8")
    before = dict(Answer.objects.filter(establishment=establishment_a)
                  .values_list("question_id", "value"))  # fmt: skip
    version = StepProgress.objects.get(pk=answered.pk).version
    block = q("Q1").block
    forged = form_data(establishment_a, 1, {"Q1": "non", "Q4": "Réponse forgée"})
    forged.update({
        f"comment_{block.pk}": "Commentaire forgé de l'établissement",
        f"comment_caisse_{block.pk}": "Commentaire forgé de la caisse",
        "files-Q8": files.upload("forgé.pdf", files.pdf_bytes()),
        "delete": [str(a) for a in establishment_a.attachments.values_list("pk", flat=True)],
    })  # fmt: skip
    response = client_of(representative_a).post(STEP1, forged)
    assert response.status_code == 302
    after = dict(Answer.objects.filter(establishment=establishment_a)
                 .values_list("question_id", "value"))  # fmt: skip
    assert after == before
    assert not Comment.objects.exclude(voice=Comment.Voice.REPRESENTATIVES).filter(
        text__contains="forgé"
    ).exists()
    assert establishment_a.attachments.count() == 1
    assert not establishment_a.attachments.filter(original_name="forgé.pdf").exists()
    assert StepProgress.objects.get(pk=answered.pk).version == version


def test_the_representative_comments_and_marks_the_step_seen(
    representative_a, establishment_a, answered, mailoutbox, django_capture_on_commit_callbacks
):
    block = q("Q1").block
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(representative_a).post(STEP1, {
            "version": "0",
            f"comment_representatives_{block.pk}": "Le CSE approuve l'état des lieux.",
            "seen": "on",
        })  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get(voice=Comment.Voice.REPRESENTATIVES)
    assert comment.author == representative_a and comment.block == block
    progress = StepProgress.objects.get(pk=answered.pk)
    assert progress.seen_by_representatives == representative_a
    assert progress.status == answered.status  # never makes a step complete
    [message] = mailoutbox
    assert message.to == [establishment_a.head_email]
    assert "Le CSE approuve l'état des lieux." in message.body and "Rémi Moreau" in message.body

    # The establishment reads it, with the representative's name, and cannot write it.
    html = unescape(client_of(establishment_a.account).get(STEP1).content.decode())
    assert "Le CSE approuve l'état des lieux." in html and "Rémi Moreau" in html
    assert "Etape vue par CSE / CHSCT / DP" in html
    assert f'name="comment_representatives_{block.pk}"' not in html


def test_the_establishment_cannot_forge_the_representatives_voice(
    client_a, establishment_a, answered
):
    block = q("Q1").block
    data = form_data(establishment_a, 1)
    data[f"comment_representatives_{block.pk}"] = "Forgé par l'établissement"
    data["seen"] = "on"
    client_a.post(STEP1, data)
    assert not Comment.objects.filter(voice=Comment.Voice.REPRESENTATIVES).exists()
    assert StepProgress.objects.get(pk=answered.pk).seen_by_representatives_at is None


def test_the_representative_reads_the_documents_but_cannot_delete_them(
    representative_a, establishment_a, answered
):
    document = attach(establishment_a, "Q8")
    client = client_of(representative_a)
    html = unescape(client.get(reverse("documents:index")).content.decode())
    assert document.original_name in html and "Supprimer la sélection" not in html
    assert client.get(reverse("attachments:download", args=[document.pk])).status_code == 200
    response = client.post(reverse("documents:delete"), {"delete": [document.pk], "confirm": "1"})
    assert response.status_code == 403
    assert establishment_a.attachments.filter(pk=document.pk).exists()


def test_the_representative_exports_but_does_not_edit_the_profile(
    representative_a, establishment_a, answered
):
    client = client_of(representative_a)
    assert client.get(reverse("parcours:export")).status_code == 200
    response = client.post(reverse("profiles:profile"), {"head_last_name": "Forgé"})
    assert response.status_code == 302
    establishment_a.refresh_from_db()
    assert establishment_a.head_last_name == "Martin"


def test_the_preventeur_sees_the_vue_mark_with_who_and_when(
    representative_a, establishment_a, preventeur_a, answered
):
    client_of(representative_a).post(STEP1, {"version": "0", "seen": "on"})
    url = reverse("admin:profiles_establishment_follow", args=[establishment_a.pk])
    html = unescape(client_of(preventeur_a).get(url).content.decode())
    assert "Etape vue par CSE / CHSCT / DP le" in html and "Rémi Moreau" in html
