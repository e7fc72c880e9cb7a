"""The préventeur's page of one establishment: comments, validation against a snapshot, send back."""

from html import unescape

import pytest
from django.urls import reverse

from outbox.models import OutboxMessage
from parcours.models import Comment, Question, StepProgress, StepValidation

from .conftest import as_staff, attach, form_data, grant

STEP1 = reverse("parcours:step", args=[1])


def follow_url(establishment):
    return reverse("admin:profiles_establishment_follow", args=[establishment.pk])


def post(client, establishment, **data):
    return client.post(follow_url(establishment), data)


@pytest.fixture
def complete_step1(client_a, establishment_a, parcours, django_capture_on_commit_callbacks):
    attach(establishment_a, "Q8")
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(STEP1, form_data(establishment_a, 1))
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.status == StepProgress.Status.COMPLETE
    return progress


def test_the_page_shows_identity_profile_answers_documents_and_voices(
    backoffice_a, establishment_a, complete_step1
):
    html = unescape(backoffice_a.get(follow_url(establishment_a)).content.decode())
    for text in (
        "Suivi du parcours – Ateliers Alpha",
        "SIRET 73282932000074",
        "Martin",  # the head of establishment
        "Étape 1 – En quoi suis-je concerné ?",
        "Complète",
        "Q1 – La direction",
        "Oui",
        "tableau de bord.xlsx",
        "Commentaires de la caisse régionale",
        "Valider l'étape 1",
        "Renvoyer pour correction",
    ):
        assert text in html, text
    q3 = Question.objects.get(code="Q3")
    assert q3.choices[0]["label"] in html  # a choice by its label, not its code


def test_the_step_complete_email_opens_this_page(establishment_a, complete_step1, mailoutbox):
    [message] = [m for m in mailoutbox if "a complété l'étape 1" in m.subject]
    assert follow_url(establishment_a) + "#etape-1" in message.body


def test_caisse_comments_of_a_step_are_saved_at_once_with_history_and_one_email(
    backoffice_a, establishment_a, preventeur_a, complete_step1, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    blocks = {q.block for q in Question.objects.filter(block__step__number=1)}
    first, second = sorted(blocks, key=lambda b: b.order)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            backoffice_a, establishment_a, step="1", action="comments",
            **{f"caisse_comment_{first.pk}": "Bon engagement de la direction.",
               f"caisse_comment_{second.pk}": "Tableau de bord à compléter."},
        )  # fmt: skip
    assert response.status_code == 302
    assert Comment.objects.filter(voice=Comment.Voice.CAISSE, author=preventeur_a).count() == 2
    [message] = mailoutbox
    assert message.to == [establishment_a.head_email]
    assert first.title in message.body and "Bon engagement de la direction." in message.body
    assert second.title in message.body and reverse("parcours:step", args=[1]) in message.body

    with django_capture_on_commit_callbacks(execute=True):
        post(backoffice_a, establishment_a, step="1", action="comments",
             **{f"caisse_comment_{first.pk}": "Engagement confirmé."})  # fmt: skip
    versions = Comment.objects.filter(voice=Comment.Voice.CAISSE, block=first)
    assert [c.text for c in versions] == ["Engagement confirmé.", "Bon engagement de la direction."]
    assert len(mailoutbox) == 2  # one e-mail per save
    # The establishment reads the caisse's comment on its step page.
    html = unescape(as_staff(establishment_a.account).get(STEP1).content.decode())
    assert "Engagement confirmé." in html and "Paul Durand" in html


def test_validating_stores_a_snapshot_and_tells_the_establishment(
    backoffice_a, establishment_a, preventeur_a, complete_step1, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(backoffice_a, establishment_a, step="1", action="validate")
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert progress.status == StepProgress.Status.VALIDATED
    assert progress.validated_by == preventeur_a
    validation = StepValidation.objects.get()
    assert validation.state["answers"]["Q1"]["display"] == "Oui"
    assert [f["name"] for f in validation.state["documents"]["Q8"]["files"]] == [
        "tableau de bord.xlsx"
    ]
    [message] = mailoutbox
    assert "est validée" in message.subject and message.to == [establishment_a.head_email]
    home = unescape(as_staff(establishment_a.account).get(reverse("home")).content.decode())
    assert "Validée" in home


def test_an_edit_after_validation_keeps_it_flags_it_and_shows_the_diff(
    backoffice_a, client_a, establishment_a, complete_step1
):
    post(backoffice_a, establishment_a, step="1", action="validate")
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q1": "non"}))
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert progress.is_validated and progress.modified_since_validation
    assert "Validée — modifiée depuis" in unescape(client_a.get(STEP1).content.decode())
    html = unescape(backoffice_a.get(follow_url(establishment_a)).content.decode())
    assert "Modifiée depuis la validation" in html
    assert "<td>Oui</td><td>Non</td>" in html.replace("\n", "")

    # Re-validating replaces the snapshot and keeps the history.
    post(backoffice_a, establishment_a, step="1", action="validate")
    progress.refresh_from_db()
    assert not progress.modified_since_validation
    assert StepValidation.objects.count() == 2
    assert progress.validation.state["answers"]["Q1"]["display"] == "Non"


def test_withdrawing_a_validation_needs_a_reason(
    backoffice_a, establishment_a, complete_step1, mailoutbox, django_capture_on_commit_callbacks
):
    post(backoffice_a, establishment_a, step="1", action="validate")
    response = post(backoffice_a, establishment_a, step="1", action="withdraw", reason="  ")
    assert "Indiquez le motif" in unescape(
        backoffice_a.get(response["Location"]).content.decode()
    )
    assert StepProgress.objects.get(pk=complete_step1.pk).is_validated
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(backoffice_a, establishment_a, step="1", action="withdraw",
             reason="Le tableau de bord n'est pas celui de l'établissement.")  # fmt: skip
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert not progress.is_validated and progress.status == StepProgress.Status.COMPLETE
    validation = StepValidation.objects.get()
    assert validation.withdrawn_at is not None and "tableau de bord" in validation.withdrawal_reason
    [message] = mailoutbox
    assert "retirée" in message.subject and "pas celui de l'établissement" in message.body


def test_sending_back_shows_a_correction_until_the_establishment_saves_again(
    backoffice_a, client_a, establishment_a, complete_step1, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(backoffice_a, establishment_a, step="1", action="send_back",
             message="Joignez le tableau de bord de 2025.")  # fmt: skip
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert progress.status == StepProgress.Status.TO_CORRECT
    [message] = mailoutbox
    assert "à corriger" in message.subject and "tableau de bord de 2025" in message.body
    html = unescape(client_a.get(STEP1).content.decode())
    assert "À corriger" in html and "Joignez le tableau de bord de 2025." in html

    client_a.post(STEP1, form_data(establishment_a, 1))
    progress.refresh_from_db()
    assert progress.status == StepProgress.Status.COMPLETE
    assert "Joignez le tableau de bord" not in unescape(client_a.get(STEP1).content.decode())


def test_sending_back_needs_a_message(backoffice_a, establishment_a, complete_step1):
    post(backoffice_a, establishment_a, step="1", action="send_back", message="")
    assert StepProgress.objects.get(pk=complete_step1.pk).status == StepProgress.Status.COMPLETE


def test_without_the_permission_nothing_changes(
    preventeur_a, establishment_a, complete_step1
):
    preventeur_a.groups.clear()  # out of the "Préventeurs" group: only what is granted here
    client = as_staff(grant(preventeur_a, ["profiles.view_establishment"]))
    assert client.get(follow_url(establishment_a)).status_code == 200
    assert post(client, establishment_a, step="1", action="validate").status_code == 403
    assert not StepValidation.objects.exists()


def test_another_caisses_establishment_is_a_404(backoffice_a, establishment_b, parcours):
    assert backoffice_a.get(follow_url(establishment_b)).status_code == 404
    assert post(backoffice_a, establishment_b, step="1", action="validate").status_code == 404
    assert not StepValidation.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("bad", ["x", "0", "99999999999999999999"])
def test_a_forged_step_or_id_is_a_404(backoffice_a, establishment_a, parcours, bad):
    assert post(backoffice_a, establishment_a, step=bad, action="validate").status_code == 404
    url = reverse("admin:profiles_establishment_follow", args=[bad])
    assert backoffice_a.get(url).status_code == 404


def test_the_page_costs_the_same_whatever_the_history(
    backoffice_a, establishment_a, complete_step1, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        backoffice_a.get(follow_url(establishment_a))
    block = Question.objects.get(code="Q1").block
    for index in range(20):
        for voice in Comment.Voice:
            Comment.objects.create(establishment=establishment_a, block=block, voice=voice,
                                   text=f"v{index}", author=establishment_a.account)  # fmt: skip
        attach(establishment_a, "Q8", name=f"doc {index}.xlsx")
    with django_assert_max_num_queries(len(before.captured_queries)):
        backoffice_a.get(follow_url(establishment_a))


def test_a_comment_typed_before_validating_is_saved_with_the_validation(
    backoffice_a, establishment_a, complete_step1, mailoutbox, django_capture_on_commit_callbacks
):
    block = Question.objects.get(code="Q1").block
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(backoffice_a, establishment_a, step="1", action="validate",
             **{f"caisse_comment_{block.pk}": "Validé après relecture."})  # fmt: skip
    assert Comment.objects.get(voice=Comment.Voice.CAISSE).text == "Validé après relecture."
    assert StepProgress.objects.get(pk=complete_step1.pk).is_validated
    assert sorted(m.subject.split(" – ")[1][:20] for m in mailoutbox) == [
        "l'étape 1 de votre p",
        "nouveaux commentaire",
    ]


def test_a_step_made_incomplete_after_validation_cannot_be_validated_again(
    backoffice_a, client_a, establishment_a, complete_step1
):
    post(backoffice_a, establishment_a, step="1", action="validate")
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q1": None, "Q5": None}))
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert progress.modified_since_validation and progress.completed_at is None
    html = unescape(backoffice_a.get(follow_url(establishment_a)).content.decode())
    assert "Valider l'étape 1" not in html
    post(backoffice_a, establishment_a, step="1", action="validate")
    assert StepValidation.objects.count() == 1


def test_a_comment_too_long_is_refused_with_a_message(
    backoffice_a, establishment_a, complete_step1
):
    block = Question.objects.get(code="Q1").block
    response = post(backoffice_a, establishment_a, step="1", action="comments",
                    **{f"caisse_comment_{block.pk}": "x" * 5001})  # fmt: skip
    page = unescape(backoffice_a.get(response["Location"]).content.decode())
    assert "Ce commentaire est trop long (5000 caractères au plus)." in page
    assert not Comment.objects.filter(voice=Comment.Voice.CAISSE).exists()


def test_the_diff_leaves_out_the_caisses_own_comments(
    backoffice_a, establishment_a, complete_step1
):
    block = Question.objects.get(code="Q1").block
    post(backoffice_a, establishment_a, step="1", action="validate")
    post(backoffice_a, establishment_a, step="1", action="comments",
         **{f"caisse_comment_{block.pk}": "Bravo."})  # fmt: skip
    StepProgress.objects.filter(pk=complete_step1.pk).update(modified_since_validation=True)
    html = unescape(backoffice_a.get(follow_url(establishment_a)).content.decode())
    assert "Modifiée depuis la validation</h3>" not in html  # the caisse's comment is no change


def test_a_step_sent_back_then_completed_again_waits_from_now_and_tells_the_preventeur(
    backoffice_a, client_a, establishment_a, complete_step1, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    first_completion = complete_step1.completed_at
    post(backoffice_a, establishment_a, step="1", action="send_back", message="Précisez Q4.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(STEP1, form_data(establishment_a, 1, {"Q4": "Les postes d'emballage."}))
    progress = StepProgress.objects.get(pk=complete_step1.pk)
    assert progress.status == StepProgress.Status.COMPLETE
    assert progress.completed_at > first_completion
    assert any("a complété l'étape 1" in m.subject for m in mailoutbox)


def test_the_change_page_links_to_the_follow_up(backoffice_a, establishment_a):
    url = reverse("admin:profiles_establishment_change", args=[establishment_a.pk])
    html = backoffice_a.get(url).content.decode()
    assert f'href="{follow_url(establishment_a)}">Suivi du parcours</a>' in html
    assert "/admin/accounts/user/" not in html  # no link to a colleague's account page
    caisse = reverse("admin:profiles_caisse_change", args=[establishment_a.caisse_id])
    assert backoffice_a.get(caisse).status_code == 200  # their own caisse, read only
