"""`manage.py demo` gives a newcomer the seed's home page: national and regional news, two documents."""

import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from news.models import Document, NewsItem
from profiles.models import Establishment

from .conftest import page_text


def test_demo_adds_a_national_and_a_cramif_item_and_two_documents_once(db):
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    assert sorted(NewsItem.objects.values_list("caisse__code", flat=True), key=str) == [
        "CRAMIF",
        None,
    ]
    assert Document.objects.count() == 2
    assert all(item.is_on_portal for item in NewsItem.objects.all())

    client = Client()
    client.force_login(Establishment.objects.get(siret="73282932000074").account)
    html = page_text(client.get(reverse("home")))
    assert "Nouvelle actualité nationale" in html and "Nouvelle actualité régionale" in html
    html = page_text(client.get(reverse("news:documentation")))
    assert "Tableau de bord TMS vierge" in html and "Excel – " in html
    assert "Tutoriel : se connecter et utiliser l'espace restreint" in html and "PDF – " in html
    for document in Document.objects.all():
        response = client.get(reverse("news:document_download", args=[document.pk]))
        assert response.status_code == 200

    other = Client()
    other.force_login(Establishment.objects.get(siret="55210055400013").account)
    html = page_text(other.get(reverse("home")))
    assert "Nouvelle actualité nationale" in html and "Nouvelle actualité régionale" not in html


def test_the_demo_pdf_passes_the_upload_checks(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from attachments.services import inspect_upload
    from news.demo import simple_pdf

    pdf = simple_pdf("Tutoriel", ["Accentué : é à ç (parenthèses)"])
    assert inspect_upload(SimpleUploadedFile("t.pdf", pdf)) == ("t.pdf", "application/pdf")
