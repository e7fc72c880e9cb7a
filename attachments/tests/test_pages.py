""" "Mes pièces jointes", documents on the step page, deleting a selection, files gone with rows."""

import pytest
import time_machine
from django.urls import reverse

from attachments.models import Attachment, QuestionTemplate
from attachments.tests.conftest import make_attachment
from attachments.tests.files import pdf_bytes, upload
from parcours.models import Block, Question


@pytest.fixture
def other_question(dashboard_question):
    from parcours.models import Step

    step, _ = Step.objects.get_or_create(
        number=3, defaults={"short_title": "Comment agir ?", "question": "Comment agir ?"}
    )
    block = Block.objects.create(step=step, code="T3.1", title="Le plan d'actions")
    return Question.objects.create(
        block=block, code="Q20", text="Joignez votre plan d'actions.", kind="documents"
    )


def test_my_attachments_groups_by_step_and_question_newest_first(
    client_a, establishment_a, dashboard_question, other_question, attachment_b,
    django_assert_max_num_queries,
):  # fmt: skip
    with time_machine.travel("2026-01-10 09:00 +01:00", tick=False):
        make_attachment(establishment_a, dashboard_question, "tableau 2024.xlsx")
    with time_machine.travel("2026-02-15 14:30 +01:00", tick=False):
        make_attachment(establishment_a, dashboard_question, "tableau 2025.xlsx",
                        description="Validé en CSE")  # fmt: skip
    make_attachment(establishment_a, other_question, "plan d'actions.pdf")

    # Session, user, establishment, documents, space used (+ savepoints): constant.
    with django_assert_max_num_queries(10):
        response = client_a.get(reverse("documents:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "bilan bêta.pdf" not in html  # another establishment's
    positions = [
        html.index(text)
        for text in (
            "Étape 1 – En quoi suis-je concerné ?",
            "tableau 2025.xlsx",
            "tableau 2024.xlsx",
            "Étape 3 – Comment agir ?",
            "plan d&#x27;actions.pdf",
        )
    ]
    assert positions == sorted(positions)
    assert "15/02/2026 14:30" in html and "Validé en CSE" in html
    assert html.count("<td>Ateliers Alpha</td>") == 3  # who deposited them
    assert "200 Mo au total" in html
    assert reverse("attachments:download", args=[Attachment.objects.first().pk]) in html


def test_empty_page_points_to_the_programme(client_a):
    response = client_a.get(reverse("documents:index"))
    assert "Vous n'avez transmis aucun document" in response.content.decode()


def test_page_is_for_establishments_only(preventeur_a, client):
    client.force_login(preventeur_a)
    assert client.get(reverse("documents:index")).status_code == 404


def test_delete_asks_for_confirmation_then_removes_the_file(
    client_a, attachment_a, django_capture_on_commit_callbacks
):
    storage, name = attachment_a.file.storage, attachment_a.file.name
    response = client_a.post(reverse("documents:delete"), {"delete": [attachment_a.pk]})
    assert response.status_code == 200
    assert "Confirmer la suppression" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment_a.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("documents:delete"),
            {"delete": [attachment_a.pk], "confirm": "1", "next": "/parcours/etape/1/"},
        )
    assert response.status_code == 302
    assert response["Location"] == "/parcours/etape/1/"
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_delete_never_redirects_elsewhere(client_a, attachment_a):
    response = client_a.post(
        reverse("documents:delete"),
        {"delete": [attachment_a.pk], "confirm": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("documents:index")


def test_empty_selection_says_so(client_a):
    response = client_a.post(reverse("documents:delete"), follow=True)
    assert "Aucune pièce jointe n&#x27;est sélectionnée." in response.content.decode()


def test_deleting_the_establishment_removes_its_files(
    establishment_a, attachment_a, attachment_b, django_capture_on_commit_callbacks
):
    storage = attachment_a.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        establishment_a.delete()
    assert not storage.exists(attachment_a.file.name)
    assert storage.exists(attachment_b.file.name)


def test_a_rolled_back_deletion_keeps_the_file(attachment_a):
    from django.db import transaction

    try:
        with transaction.atomic():
            attachment_a.delete()
            raise RuntimeError
    except RuntimeError:
        pass
    assert attachment_a.file.storage.exists(attachment_a.file.name)


def test_the_step_page_offers_templates_upload_and_the_table(
    client_a, establishment_a, dashboard_question, attachment_a, attachment_b
):
    template = QuestionTemplate(
        question=dashboard_question,
        label="Télécharger et compléter la trame",
        filename="tableau_de_bord_tms_vierge.xlsx",
    )
    template.file.save("x", upload("x.pdf", pdf_bytes()), save=False)
    template.save()
    html = client_a.get(reverse("parcours:step", args=[1])).content.decode()
    assert "Télécharger et compléter la trame" in html
    assert reverse("attachments:template", args=[template.pk]) in html
    assert 'name="files-Q8"' in html and "multiple" in html
    assert "Joindre votre tableau de bord" in html and "PARCOURIR" in html
    assert 'name="description-Q8"' in html
    assert "Date de dépôt" in html and "tableau_de_bord_2025.pdf" in html
    assert "bilan bêta.pdf" not in html
    assert 'name="delete"' in html and "Supprimer la sélection" in html
    assert "10 Mo maximum par fichier" in html


def test_a_question_without_documents_says_so(client_a, dashboard_question):
    html = client_a.get(reverse("parcours:step", args=[1])).content.decode()
    assert "Aucun document déposé pour cette question." in html


def test_the_step_page_loads_the_attachments_script_once(client_a, dashboard_question):
    # Two questions taking files on the page.
    Question.objects.filter(code="T7").update(accepts_files=True)
    html = client_a.get(reverse("parcours:step", args=[1])).content.decode()
    assert 'id="files-T7"' in html and 'id="files-Q8"' in html
    assert html.count("js/attachments.js") == 1


def test_my_attachments_names_who_deposited_each_document(
    client_a, establishment_a, preventeur_a, dashboard_question
):
    make_attachment(establishment_a, dashboard_question, "a.pdf")
    by_preventeur = make_attachment(establishment_a, dashboard_question, "b.pdf")
    by_removed_account = make_attachment(establishment_a, dashboard_question, "c.pdf")
    Attachment.objects.filter(pk=by_preventeur.pk).update(uploaded_by=preventeur_a)
    Attachment.objects.filter(pk=by_removed_account.pk).update(uploaded_by=None)
    html = client_a.get(reverse("documents:index")).content.decode()
    for label in ("Ateliers Alpha", "Paul Durand", "compte supprimé"):
        assert f"<td>{label}</td>" in html


def test_template_download_for_any_signed_in_user(client_b, dashboard_question):
    template = QuestionTemplate(question=dashboard_question, label="Exemple",
                                filename="Tableau de bord TMS (rempli) (XLSX).xlsx")  # fmt: skip
    template.file.save("x", upload("x.pdf", pdf_bytes()), save=False)
    template.save()
    response = client_b.get(reverse("attachments:template", args=[template.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="Tableau de bord TMS (rempli) (XLSX).xlsx"'
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 octet"), (160, "160 octets"), (1536, "1,5 Ko"), (200 * 1024 * 1024, "200 Mo")],
)
def test_sizes_are_written_as_the_limits_are(size, text):
    from attachments.templatetags.attachments_tags import human_size

    assert human_size(size) == text
