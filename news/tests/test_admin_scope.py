"""Who writes what in the admin: the national team everything, a préventeur their caisse only."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attachments.tests.files import pdf_bytes, upload
from news.models import Document, HelpTheme, NewsItem

from .conftest import EDITOR_PERMISSIONS, grant, make_document, make_news

ADD = reverse("admin:news_newsitem_add")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def preventeur(preventeur_a):
    return client_for(grant(preventeur_a, *EDITOR_PERMISSIONS))


@pytest.fixture
def national(national_team):
    return client_for(grant(national_team, *EDITOR_PERMISSIONS, "delete_newsitem"))


def news_post(caisse, **extra):
    now = timezone.localtime()
    return {
        "title": "Atelier tableaux de bord",
        "summary": "Un atelier pour les établissements.",
        "body": "<p>Inscrivez-vous.</p>",
        "caisse": caisse.pk if caisse else "",
        "published_at_0": now.strftime("%d/%m/%Y"),
        "published_at_1": now.strftime("%H:%M"),
        "is_published": "on",
        "image_alt": "",
        **extra,
    }


def scope_options(html):
    select = re.search(r'<select name="caisse"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_admin_form_has_the_issues_labels(national):
    html = unescape(national.get(ADD).content.decode())
    for label in ("Titre", "Résumé", "Contenu", "Portée", "Date de publication", "Publiée",
                  "Image", "Texte alternatif de l'image", "Document joint"):  # fmt: skip
        assert f">{label}" in html, label


def test_the_national_team_chooses_nationale_or_any_caisse(national, caisse_a):
    options = scope_options(national.get(ADD).content.decode())
    assert options[0] == "Nationale"
    assert len(options) == 1 + 21
    response = national.post(ADD, news_post(None))
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.caisse is None and item.is_on_portal


def test_a_preventeur_is_offered_their_caisse_only(preventeur):
    assert scope_options(preventeur.get(ADD).content.decode()) == ["Cramif"]


def test_a_preventeur_publishes_for_their_caisse(preventeur, preventeur_a, caisse_a):
    response = preventeur.post(ADD, news_post(caisse_a))
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.caisse == caisse_a
    assert item.created_by == preventeur_a


@pytest.mark.parametrize("forged", ["national", "another caisse"])
def test_a_forged_post_for_national_or_another_caisse_is_refused(forged, preventeur, caisse_b):
    response = preventeur.post(ADD, news_post(None if forged == "national" else caisse_b))
    assert response.status_code == 200
    assert "Vous publiez pour votre caisse uniquement." in response.content.decode()
    assert not NewsItem.objects.exists()


def test_a_preventeur_cannot_move_their_item_to_another_caisse(preventeur, caisse_a, caisse_b):
    item = make_news("Francilienne", caisse=caisse_a)
    url = reverse("admin:news_newsitem_change", args=[item.pk])
    response = preventeur.post(url, news_post(caisse_b, title="Déplacée"))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.caisse == caisse_a and item.title == "Francilienne"


def test_a_preventeur_lists_national_and_own_items_and_only_reads_national_ones(
    preventeur, caisse_a, caisse_b
):
    national_item = make_news("Pour tous")
    own = make_news("Francilienne", caisse=caisse_a)
    other = make_news("Nordiste", caisse=caisse_b)
    html = preventeur.get(reverse("admin:news_newsitem_changelist")).content.decode()
    assert "Pour tous" in html and "Francilienne" in html and "Nordiste" not in html

    def change(item):
        return reverse("admin:news_newsitem_change", args=[item.pk])

    assert 'name="_save"' in preventeur.get(change(own)).content.decode()
    read_only = preventeur.get(change(national_item))
    assert read_only.status_code == 200 and 'name="_save"' not in read_only.content.decode()
    assert preventeur.post(change(national_item), news_post(None)).status_code == 403
    assert preventeur.get(change(other)).status_code == 302  # "does not exist"
    national_item.refresh_from_db()
    assert national_item.title == "Pour tous"


def test_states_in_the_admin_list(national):
    make_news("En ligne")
    make_news("Brouillon", published=False)
    programmed = make_news("Programmée")
    programmed.published_at = timezone.now() + timezone.timedelta(days=5)
    programmed.save()
    html = national.get(reverse("admin:news_newsitem_changelist")).content.decode()
    for state in ("<td class=\"field-state\">En ligne</td>", "<td class=\"field-state\">Brouillon</td>",
                  "<td class=\"field-state\">Programmée</td>"):  # fmt: skip
        assert state in html, state


def test_an_image_needs_its_alternative_text_and_must_be_jpeg_or_png(national):
    refused = national.post(ADD, {**news_post(None), "image": upload("photo.png", PNG)})
    assert "Décrivez ce que montre l'image" in unescape(refused.content.decode())
    refused = national.post(
        ADD, {**news_post(None), "image": upload("affiche.pdf", pdf_bytes()), "image_alt": "x"}
    )
    assert "« affiche.pdf » : l'image doit être au format JPEG ou PNG." in (
        unescape(refused.content.decode())
    )
    assert not NewsItem.objects.exists()
    accepted = national.post(
        ADD,
        {**news_post(None), "image": upload("photo.png", PNG), "image_alt": "Un poste adapté"},
    )
    assert accepted.status_code == 302
    item = NewsItem.objects.get()
    assert item.image_type == "image/png"


def test_image_is_served_inline_to_readers(national, client_a):
    national.post(
        ADD,
        {**news_post(None), "image": upload("photo.png", PNG), "image_alt": "Un poste adapté"},
    )
    item = NewsItem.objects.get()
    html = client_a.get(item.get_absolute_url()).content.decode()
    assert f'src="{reverse("news:image", args=[item.pk])}" alt="Un poste adapté"' in html
    response = client_a.get(reverse("news:image", args=[item.pk]))
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attached_document_goes_through_the_attachments_checks(national, client_a):
    refused = national.post(
        ADD, {**news_post(None), "document": upload("programme.pdf", b"<html><script>")}
    )
    assert "« programme.pdf »" in refused.content.decode()
    assert not NewsItem.objects.exists()
    national.post(ADD, {**news_post(None), "document": upload("../programme.pdf", pdf_bytes())})
    item = NewsItem.objects.get()
    assert (item.document_name, item.document_type) == ("programme.pdf", "application/pdf")
    html = client_a.get(item.get_absolute_url()).content.decode()
    assert ">programme.pdf</a>" in html and "(PDF – " in html
    response = client_a.get(reverse("news:document", args=[item.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_replaced_document_leaves_the_storage_once_committed(
    national, django_capture_on_commit_callbacks
):
    national.post(ADD, {**news_post(None), "document": upload("v1.pdf", pdf_bytes("v1"))})
    item = NewsItem.objects.get()
    storage, old_name = item.document.storage, item.document.name
    with django_capture_on_commit_callbacks(execute=True):
        response = national.post(
            reverse("admin:news_newsitem_change", args=[item.pk]),
            {**news_post(None), "document": upload("v2.pdf", pdf_bytes("v2"))},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.document_name == "v2.pdf"
    assert not storage.exists(old_name) and storage.exists(item.document.name)
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert not storage.exists(item.document.name)


def test_the_admin_shows_the_current_file_by_its_original_name(national, caisse_a):
    document = make_document("Guide", filename="guide régional.pdf", caisse=caisse_a)
    html = national.get(reverse("admin:news_document_change", args=[document.pk])).content.decode()
    assert (
        f'href="{reverse("news:document_download", args=[document.pk])}">guide régional.pdf</a>'
        in html
    )


def document_post(caisse, **extra):
    return {
        "title": "Guide régional",
        "description": "Pas à pas.",
        "category": Document.Category.GUIDE,
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "caisse": caisse.pk if caisse else "",
        **extra,
    }


def test_a_preventeur_adds_documents_of_their_caisse_only_checked_like_attachments(
    preventeur, caisse_a, caisse_b
):
    url = reverse("admin:news_document_add")
    assert scope_options(preventeur.get(url).content.decode()) == ["Cramif"]
    for forged in (None, caisse_b):
        response = preventeur.post(
            url, document_post(forged, file=upload("guide.pdf", pdf_bytes()))
        )
        assert "Vous publiez pour votre caisse uniquement." in response.content.decode()
    refused = preventeur.post(url, document_post(caisse_a, file=upload("guide.pdf", b"MZ\x90")))
    assert "« guide.pdf » : les programmes et scripts exécutables ne sont pas acceptés." in (
        unescape(refused.content.decode())
    )
    assert not Document.objects.exists()
    response = preventeur.post(url, document_post(caisse_a, file=upload("guide.pdf", pdf_bytes())))
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.caisse, document.filename, document.content_type, document.size) == (
        caisse_a,
        "guide.pdf",
        "application/pdf",
        len(pdf_bytes()),
    )


def test_help_is_written_by_the_national_team_only(preventeur, national):
    url = reverse("admin:news_helptheme_add")
    assert preventeur.get(url).status_code == 403
    assert preventeur.post(url, {"title": "Piratage", "order": 1}).status_code == 403
    response = national.post(
        url,
        {
            "title": "Connexion",
            "order": 1,
            "questions-TOTAL_FORMS": 1,
            "questions-INITIAL_FORMS": 0,
            "questions-0-question": "Je ne peux pas me connecter ?",
            "questions-0-answer": "<p onclick='x()'>Videz le cache.</p>",
            "questions-0-order": 1,
        },
    )
    assert response.status_code == 302
    theme = HelpTheme.objects.get(title="Connexion", questions__question__startswith="Je ne")
    assert theme.questions.get().answer == "<p>Videz le cache.</p>"
