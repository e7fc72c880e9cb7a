"""The home page: the three latest items of the default choice, the same filter, a link to all news."""

from django.urls import reverse

from conftest import make_establishment
from profiles.tests.sirets import make_siret

from .conftest import make_news, page_text

HOME = reverse("home")


def test_home_shows_the_three_latest_items_that_concern_the_reader(client_a, caisse_a, caisse_b):
    make_news("Test Jmo", days_ago=1)
    make_news("Nouvelle actualité nationale", days_ago=2)
    make_news("Nouvelle actualité régionale", caisse=caisse_a, days_ago=3)
    make_news("La plus ancienne", days_ago=4)
    make_news("Nordiste récente", caisse=caisse_b, days_ago=0)
    make_news("Brouillon récent", caisse=caisse_a, days_ago=0, published=False)
    html = page_text(client_a.get(HOME))
    assert html.count(">CONSULTER<") == 3
    assert (
        html.index("Test Jmo")
        < html.index("Nouvelle actualité nationale")
        < html.index("Nouvelle actualité régionale")
    )
    for hidden in ("La plus ancienne", "Nordiste récente", "Brouillon récent"):
        assert hidden not in html
    assert f'href="{reverse("news:list")}">Voir toute l’actualité</a>' in html
    assert '<label class="form-label" for="id_region">Filtrer par région</label>' in html
    assert f'action="{HOME}"' in html


def test_home_filter_shows_the_chosen_region_and_links_to_its_news(client_a, caisse_b):
    make_news("Pour tous")
    make_news("Nordiste", caisse=caisse_b)
    html = page_text(client_a.get(HOME, {"region": "CARSAT_HDF"}))
    assert "Nordiste" in html and "Pour tous" not in html
    assert f'href="{reverse("news:list")}?region=CARSAT_HDF">Voir toute l’actualité</a>' in html


def test_home_without_news_says_so(client_a):
    assert "Aucune actualité publiée pour le moment." in page_text(client_a.get(HOME))


def test_home_query_count_does_not_grow_with_items(
    client_a, caisse_a, django_assert_max_num_queries
):
    make_news("Première", caisse=caisse_a)
    with django_assert_max_num_queries(14) as few:
        client_a.get(HOME)
    for number in range(20):
        make_news(f"Actualité {number}", caisse=caisse_a if number % 2 else None)
        make_establishment(siret=make_siret(number), name=f"Étab. {number}", caisse_code="CRAMIF")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page_text(client_a.get(HOME))
    assert html.count(">CONSULTER<") == 3
