"""DOCUMENTATION: national and own caisse's documents by category; downloads checked like attachments."""

from django.test import Client
from django.urls import reverse

from attachments.tests.files import xlsx_bytes
from news.models import Document

from .conftest import make_document, page_text

PAGE = reverse("news:documentation")


def download_url(document):
    return reverse("news:document_download", args=[document.pk])


def test_documentation_lists_national_and_own_caisse_documents_by_category(
    client_a, caisse_a, caisse_b
):
    make_document("Dossier de presse 2016", category=Document.Category.PRESS)
    make_document("Tutoriel de la Cramif", caisse=caisse_a)
    make_document("Tableau de bord TMS vierge", category=Document.Category.TOOL,
                  content=xlsx_bytes(), filename="tableau_de_bord_tms_vierge.xlsx",
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    make_document("Notice des Hauts-de-France", caisse=caisse_b)
    html = page_text(client_a.get(PAGE))
    assert "Notice des Hauts-de-France" not in html
    # Categories in their order, each with its documents.
    assert (
        html.index("Guides et tutoriels")
        < html.index("Tutoriel de la Cramif")
        < html.index("Outils (tableaux de bord, quiz)")
        < html.index("Tableau de bord TMS vierge")
        < html.index("Dossiers de presse")
        < html.index("Dossier de presse 2016")
    )
    assert "Autres documents" not in html  # an empty category is not shown
    assert '<span class="tms-file-meta">Excel – ' in html
    assert '<span class="tms-file-meta">PDF – ' in html


def test_sizes_are_written_for_a_person(client_a):
    document = make_document("Guide")
    Document.objects.filter(pk=document.pk).update(size=1_258_291)
    assert "PDF – 1,2 Mo" in page_text(client_a.get(PAGE))


def test_a_document_downloads_with_the_attachments_headers(client_a, caisse_a):
    document = make_document(
        "Tutoriel de la Cramif", caisse=caisse_a, filename="tutoriel cramif.pdf"
    )
    response = client_a.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "tutoriel%20cramif.pdf" in response["Content-Disposition"] or (
        '"tutoriel cramif.pdf"' in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_logged_out_visitors_are_sent_to_the_login(client, db):
    document = make_document("Guide national")
    for url in (PAGE, download_url(document)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_another_caisses_document_is_a_404_like_a_missing_one(client_a, caisse_b):
    document = make_document("Notice des Hauts-de-France", caisse=caisse_b)
    assert client_a.get(download_url(document)).status_code == 404
    assert client_a.get(reverse("news:document_download", args=[999999])).status_code == 404


def test_staff_download_within_their_scope(preventeur_a, preventeur_b, national_team, caisse_a):
    document = make_document("Tutoriel de la Cramif", caisse=caisse_a)
    client = Client()
    for user, status in ((preventeur_a, 200), (preventeur_b, 404), (national_team, 200)):
        client.force_login(user)
        assert client.get(download_url(document)).status_code == status, user


def test_documentation_query_count_does_not_grow_with_documents(
    client_a, caisse_a, django_assert_max_num_queries
):
    make_document("Premier")
    with django_assert_max_num_queries(20) as few:
        client_a.get(PAGE)
    for number in range(15):
        make_document(f"Guide {number}", caisse=caisse_a if number % 2 else None,
                      category=Document.Category.choices[number % 4][0])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_a.get(PAGE)
