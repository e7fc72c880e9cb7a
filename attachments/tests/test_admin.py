"""The back office: a préventeur sees the documents of their caisse only, read-only."""

from django.contrib.auth.models import Permission
from django.urls import reverse


def test_preventeur_lists_only_documents_of_their_caisse(
    client, preventeur_a, attachment_a, attachment_b
):
    preventeur_a.user_permissions.add(Permission.objects.get(codename="view_attachment"))
    client.force_login(preventeur_a)
    response = client.get(reverse("admin:attachments_attachment_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "tableau_de_bord_2025.pdf" in html
    assert "bilan bêta.pdf" not in html
    other = reverse("admin:attachments_attachment_change", args=[attachment_b.pk])
    assert client.get(other).status_code == 404  # as a missing one
    assert client.get(reverse("admin:attachments_attachment_add")).status_code == 403


def test_national_team_uploads_a_template_checked_like_any_document(
    admin_client, dashboard_question
):
    from attachments.models import QuestionTemplate
    from attachments.tests.files import upload, xlsx_bytes

    url = reverse("admin:attachments_questiontemplate_add")
    refused = admin_client.post(
        url,
        {"question": dashboard_question.pk, "label": "Exemple", "order": 1,
         "file": upload("faux.xlsx", b"<html></html>")},
    )  # fmt: skip
    assert "« faux.xlsx »" in refused.content.decode()
    admin_client.post(
        url,
        {"question": dashboard_question.pk, "label": "Exemple", "order": 1,
         "file": upload("../indicateurs possibles.xlsx", xlsx_bytes())},
    )  # fmt: skip
    assert QuestionTemplate.objects.get().filename == "indicateurs possibles.xlsx"
