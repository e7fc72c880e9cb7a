"""ACTUALITÉS: what concerns the reader by default, the region filter, drafts and future items."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .conftest import make_news, page_text

LIST = reverse("news:list")


def test_default_choice_shows_national_items_and_the_readers_caisse_not_another_caisses(
    client_a, caisse_a, caisse_b
):
    make_news("Nouvelle actualité nationale")
    make_news("Nouvelle actualité régionale", caisse=caisse_a)
    make_news("Actualité des Hauts-de-France", caisse=caisse_b)
    html = page_text(client_a.get(LIST))
    assert "Nouvelle actualité nationale" in html
    assert "Nouvelle actualité régionale" in html
    assert "Actualité des Hauts-de-France" not in html


def test_newest_first_with_date_in_french_summary_and_consulter(client_a):
    older = make_news("Plus ancienne", days_ago=3)
    newer = make_news("Plus récente", days_ago=1, summary="Un atelier sur les tableaux de bord.")
    html = page_text(client_a.get(LIST))
    assert html.index("Plus récente") < html.index("Plus ancienne")
    assert "Un atelier sur les tableaux de bord." in html
    assert f'href="{newer.get_absolute_url()}">CONSULTER' in html
    assert f'href="{older.get_absolute_url()}">CONSULTER' in html


def test_dates_are_written_in_french(client_a):
    item = make_news("Test Jmo")
    item.published_at = timezone.make_aware(timezone.datetime(2020, 4, 7, 10, 0))
    item.save()
    assert "7 avril 2020" in page_text(client_a.get(LIST))


def test_filter_offers_all_national_and_each_region_by_name(client_a):
    html = page_text(client_a.get(LIST))
    assert '<label class="form-label" for="id_region">Filtrer par région</label>' in html
    assert '<option value="" selected>Toutes</option>' in html
    assert '<option value="nationales">Nationales</option>' in html
    assert '<option value="CARSAT_HDF">Hauts-de-France</option>' in html
    assert '<option value="CRAMIF">Île-de-France</option>' in html
    assert html.count("<option") == 2 + 21
    # Without JavaScript, a GET form and its button (news.js hides it and submits on change).
    assert (
        f'<form method="get" action="{LIST}" class="tms-news-filter" data-submit-on-change>' in html
    )
    assert ">Filtrer</button>" in html
    # Regions in alphabetical order, "Île-de-France" among the I.
    assert html.index(">Guyane<") < html.index(">Île-de-France<") < html.index(">La Réunion<")


def test_choosing_another_region_shows_its_items_only_and_is_a_bookmarkable_get(
    client_a, caisse_a, caisse_b
):
    make_news("Nationale")
    make_news("Francilienne", caisse=caisse_a)
    make_news("Nordiste", caisse=caisse_b)
    html = page_text(client_a.get(LIST, {"region": "CARSAT_HDF"}))
    assert "Nordiste" in html
    assert "Francilienne" not in html and "Nationale</h2>" not in html
    assert '<option value="CARSAT_HDF" selected>Hauts-de-France</option>' in html


def test_national_choice_shows_national_items_only(client_a, caisse_a):
    make_news("Pour tous")
    make_news("Francilienne", caisse=caisse_a)
    html = page_text(client_a.get(LIST, {"region": "nationales"}))
    assert "Pour tous" in html
    assert "Francilienne" not in html


def test_an_unknown_choice_counts_as_the_default(client_a, caisse_b):
    make_news("Pour tous")
    make_news("Nordiste", caisse=caisse_b)
    response = client_a.get(LIST, {"region": "<script>"})
    assert response.status_code == 200
    html = page_text(response)
    assert "Pour tous" in html and "Nordiste" not in html


def test_a_draft_never_shows_not_even_when_its_region_is_chosen(client_a, caisse_a, caisse_b):
    own_draft = make_news("Brouillon francilien", caisse=caisse_a, published=False)
    other_draft = make_news("Brouillon nordiste", caisse=caisse_b, published=False)
    for region in ("", "CRAMIF", "CARSAT_HDF", "nationales"):
        html = page_text(client_a.get(LIST, {"region": region}))
        assert "Brouillon" not in html, region
    for draft in (own_draft, other_draft):
        assert client_a.get(draft.get_absolute_url()).status_code == 404


def test_a_future_item_stays_hidden_until_its_date(client, establishment_a, caisse_a):
    due = timezone.now() + timedelta(days=3)
    item = make_news("Journée régionale", caisse=caisse_a, days_ago=0)
    item.published_at = due
    item.save()
    for moment, shown in ((due - timedelta(minutes=1), False), (due, True)):
        with time_machine.travel(moment, tick=False):
            client.force_login(establishment_a.account)  # a session of that moment
            assert ("Journée régionale" in page_text(client.get(LIST))) is shown
            assert client.get(item.get_absolute_url()).status_code == (200 if shown else 404)


def test_an_item_of_another_caisse_is_readable_as_through_the_filter(client_a, caisse_b):
    item = make_news("Nordiste", caisse=caisse_b, body="<p>Le détail nordiste.</p>")
    html = page_text(client_a.get(item.get_absolute_url()))
    assert "Le détail nordiste." in html
    assert "Carsat Hauts-de-France" in html


def test_representatives_read_their_establishments_caisse(representative_a, caisse_a, caisse_b):
    make_news("Francilienne", caisse=caisse_a)
    make_news("Nordiste", caisse=caisse_b)
    client = Client()
    client.force_login(representative_a)
    html = page_text(client.get(LIST))
    assert "Francilienne" in html and "Nordiste" not in html


def test_a_preventeur_reads_their_caisse_and_the_national_team_everything(
    preventeur_b, national_team, caisse_a, caisse_b
):
    make_news("Pour tous")
    make_news("Francilienne", caisse=caisse_a)
    make_news("Nordiste", caisse=caisse_b)
    client = Client()
    client.force_login(preventeur_b)
    html = page_text(client.get(LIST))
    assert "Pour tous" in html and "Nordiste" in html and "Francilienne" not in html
    client.force_login(national_team)
    html = page_text(client.get(LIST))
    assert "Pour tous" in html and "Nordiste" in html and "Francilienne" in html


def test_news_need_a_login(client, db):
    item = make_news("Pour tous")
    urls = (LIST, item.get_absolute_url(), reverse("news:image", args=[item.pk]),
            reverse("news:document", args=[item.pk]))  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_menu_has_help_documentation_and_news_entries(client_a):
    html = page_text(client_a.get(reverse("home")))
    for entry, url in (
        ("BESOIN D'AIDE", reverse("news:help")),
        ("DOCUMENTATION", reverse("news:documentation")),
        ("ACTUALITÉS", LIST),
    ):
        assert f'href="{url}">{entry}</a>' in html, entry
    # The seed's order.
    entries = ["BESOIN D'AIDE", "MON PARCOURS", "MON PROFIL", "MES PIÈCES JOINTES",
               "DOCUMENTATION", "ACTUALITÉS"]  # fmt: skip
    positions = [html.index(f">{entry}</a>") for entry in entries]
    assert positions == sorted(positions)
    assert 'aria-current="page" href="/actualites/"' in page_text(client_a.get(LIST))


def test_a_withdrawn_representative_reads_neither_news_nor_documentation(
    establishment_a, representative_a
):
    from news.tests.conftest import make_document
    from profiles.models import Membership

    item = make_news("Nouvelle actualité nationale")
    document = make_document("Guide national")
    Membership.objects.filter(user=representative_a).update(is_active=False)
    client = Client()
    client.force_login(representative_a)
    for url in (LIST, item.get_absolute_url(), reverse("news:documentation"),
                reverse("news:document_download", args=[document.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("home"), url
    assert client.get(reverse("news:help")).status_code == 200  # help stays open to all
