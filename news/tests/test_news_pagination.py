"""ACTUALITÉS: 12 a page, the filter kept from page to page, a fixed number of queries."""

from django.urls import reverse

from .conftest import make_news, page_text

LIST = reverse("news:list")


def test_twelve_items_a_page_newest_first_and_the_next_page_keeps_the_filter(client_a, caisse_b):
    for number in range(14):
        make_news(f"Actualité n° {number:02d}", caisse=caisse_b, days_ago=number + 1)
    html = page_text(client_a.get(LIST, {"region": "CARSAT_HDF"}))
    assert html.count(">CONSULTER<") == 12
    assert "Actualité n° 00" in html and "Actualité n° 11" in html
    assert "Actualité n° 12" not in html
    assert 'href="?region=CARSAT_HDF&page=2">Suivante</a>' in html
    html = page_text(client_a.get(LIST, {"region": "CARSAT_HDF", "page": 2}))
    assert html.count(">CONSULTER<") == 2
    assert "Actualité n° 12" in html and "Actualité n° 13" in html
    assert 'href="?region=CARSAT_HDF&page=1">Précédente</a>' in html


def test_a_page_out_of_range_shows_the_last_one(client_a):
    make_news("Seule actualité")
    response = client_a.get(LIST, {"page": 99})
    assert response.status_code == 200
    assert "Seule actualité" in page_text(response)


def test_an_empty_list_says_so(client_a):
    assert "Aucune actualité publiée pour le moment." in page_text(client_a.get(LIST))


def test_list_query_count_does_not_grow_with_items(
    client_a, caisse_a, django_assert_max_num_queries
):
    make_news("Première", caisse=caisse_a)
    with django_assert_max_num_queries(20) as few:
        client_a.get(LIST)
    for number in range(30):
        make_news(f"Actualité {number}", caisse=caisse_a if number % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page_text(client_a.get(LIST))
    assert html.count(">CONSULTER<") == 12


def test_the_page_links_stay_few_however_many_pages(client_a, settings, monkeypatch):
    from news import views

    monkeypatch.setattr(views, "NEWS_PER_PAGE", 1)
    for number in range(40):
        make_news(f"Actualité {number}", days_ago=number + 1)
    html = client_a.get("/actualites/", {"page": 20}).content.decode()
    links = html.count('class="page-link"')
    assert links < 20
    assert "…" in html and 'aria-current="page">20<' in html
