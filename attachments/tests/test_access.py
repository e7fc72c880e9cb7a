"""Documents are private: who may download and delete, and how a download is sent."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from attachments.models import Attachment
from attachments.tests.conftest import make_attachment
from attachments.tests.files import pdf_bytes
from conftest import give_second_factor


def client_for(user):
    if user.needs_second_factor:
        give_second_factor(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def national(db):
    return User.objects.create_user(
        username="national@example.fr", password="x", kind=User.Kind.NATIONAL, is_staff=True
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="admin@example.fr", password="x")


@pytest.fixture
def representative(db):
    return User.objects.create_user(
        username="cse@example.fr", password="x", kind=User.Kind.REPRESENTATIVE
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("other_establishment", False),
        ("preventeur_of_its_caisse", True),
        ("preventeur_of_another_caisse", False),
        ("national", True),
        ("superuser", True),
        ("representative_without_establishment", False),
    ],
)
def test_download_permission_matrix(
    who, allowed, attachment_a, establishment_b, preventeur_a, preventeur_b, national, superuser,
    representative,
):  # fmt: skip
    user = {
        "owner": attachment_a.establishment.account,
        "other_establishment": establishment_b.account,
        "preventeur_of_its_caisse": preventeur_a,
        "preventeur_of_another_caisse": preventeur_b,
        "national": national,
        "superuser": superuser,
        "representative_without_establishment": representative,
    }[who]
    response = client_for(user).get(reverse("attachments:download", args=[attachment_a.pk]))
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert b"".join(response.streaming_content) == pdf_bytes()


def test_guessed_ids_look_like_missing_ones(client_b, attachment_a):
    for pk in (attachment_a.pk, attachment_a.pk + 1, 999999):
        response = client_b.get(reverse("attachments:download", args=[pk]))
        assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, attachment_a):
    response = client.get(reverse("attachments:download", args=[attachment_a.pk]))
    assert response.status_code == 302
    assert "/compte/" in response["Location"] or "login" in response["Location"]


def test_download_is_an_attachment_with_its_original_name_and_safe_headers(
    client_a, establishment_a, dashboard_question
):
    attachment = make_attachment(
        establishment_a, dashboard_question, name='Tableau "été" d\'Île-de-France.pdf'
    )
    response = client_a.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Tableau%20%22%C3%A9t%C3%A9%22%20d%27%C3%8Ele-de-France.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]


def test_ascii_name_is_quoted(client_a, attachment_a):
    response = client_a.get(reverse("attachments:download", args=[attachment_a.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="tableau_de_bord_2025.pdf"'


def test_stored_files_are_not_served_under_their_storage_path(client_a, attachment_a):
    response = client_a.get("/" + attachment_a.file.name)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who", ["other_establishment", "preventeur_of_its_caisse", "preventeur_of_another_caisse"]
)
def test_only_the_establishment_deletes_its_documents(
    who, attachment_a, establishment_b, preventeur_a, preventeur_b
):
    user = {
        "other_establishment": establishment_b.account,
        "preventeur_of_its_caisse": preventeur_a,
        "preventeur_of_another_caisse": preventeur_b,
    }[who]
    response = client_for(user).post(
        reverse("documents:delete"), {"delete": [attachment_a.pk], "confirm": "1"}
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment_a.pk).exists()
    assert attachment_a.file.storage.exists(attachment_a.file.name)


def test_a_guessed_id_in_a_selection_deletes_nothing(client_a, attachment_a, attachment_b):
    response = client_a.post(
        reverse("documents:delete"),
        {"delete": [attachment_a.pk, attachment_b.pk], "confirm": "1"},
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 2


def test_delete_refuses_get(client_a, attachment_a):
    response = client_a.get(reverse("documents:delete"), {"delete": attachment_a.pk})
    assert response.status_code == 405


@pytest.mark.parametrize("bad_id", ["99999999999999999999999", "0", "-3", "abc"])
def test_an_out_of_range_or_malformed_id_is_a_404_not_a_500(client_a, attachment_a, bad_id):
    response = client_a.post(
        reverse("documents:delete"), {"delete": [attachment_a.pk, bad_id], "confirm": "1"}
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1
