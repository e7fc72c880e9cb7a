import io
from html import unescape

from django.core.management import call_command
from django.urls import reverse

from conftest import make_establishment
from profiles.tests.sirets import make_siret


def page_text(response):
    return unescape(response.content.decode())


def test_home_shows_name_programme_steps_figures_profile_and_caisse(client_a, establishment_a):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    html = page_text(client_a.get(reverse("home")))
    for text in (
        "Ateliers Alpha",
        "Prévenir les TMS, c'est identifier",
        "Agir en 4 étapes :",
        "En quoi suis-je concerné ?",
        "Par quoi commencer ?",
        "Comment agir ?",
        "Quels résultats pour mon entreprise ?",
        "Mon tableau de bord",
        "169 jours, soit 0,8 en équivalent temps plein",
        "473 jours, soit 2,4 en équivalent temps plein",
        "2025",
        ">JE METS À JOUR MON PROFIL</h2>",
        "Mettre à jour",
        ">JE CONTACTE MA CAISSE RÉGIONALE</h2>",
        'href="mailto:infos.tmspros.cramif@assurance-maladie.fr"',
        "CONTACTER PAR MAIL",
        "Paul Durand",
    ):
        assert text in html, text
    assert (
        f'<a class="btn btn-tms" href="{reverse("parcours:index")}">POURSUIVRE MON PARCOURS</a>'
        in html
    )
    assert f'href="{reverse("parcours:export")}">EXPORTER LES DONNÉES SAISIES</a>' in html


def test_continue_button_is_disabled_with_its_reason_until_the_profile_is_complete(
    client_b, establishment_b
):
    establishment_b.head_phone = ""
    establishment_b.save()
    html = page_text(client_b.get(reverse("home")))
    # A real disabled button: browsers, screen readers and Playwright's to_be_disabled() agree.
    assert (
        '<button type="button" class="btn btn-tms" disabled aria-describedby="parcours-closed">'
        "POURSUIVRE MON PARCOURS</button>" in html
    )
    assert "La mise à jour du profil est nécessaire afin d'accéder au parcours" in html
    assert f'href="{reverse("parcours:index")}">POURSUIVRE' not in html


def test_home_says_clearly_when_figures_are_unknown(client_b, establishment_b):
    html = page_text(client_b.get(reverse("home")))
    assert "n'ont pas encore été communiqués par votre caisse régionale" in html
    assert "None" not in html


def test_caisse_without_email_has_no_mailto(client_b, establishment_b):
    establishment_b.caisse.email = ""
    establishment_b.caisse.save()
    html = page_text(client_b.get(reverse("home")))
    assert "mailto:" not in html
    assert "Carsat Hauts-de-France" in html


def test_home_query_count_does_not_grow_with_establishments(
    client_a, establishment_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        client_a.get(reverse("home"))
    for number in range(30):
        make_establishment(
            siret=make_siret(number), name=f"Établissement {number}", caisse_code="CRAMIF"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_a.get(reverse("home"))


def test_staff_home_points_to_the_administration(client, preventeur_a):
    client.force_login(preventeur_a)
    html = page_text(client.get(reverse("home")))
    assert 'href="/admin/"' in html
    assert "Mon tableau de bord" not in html


def test_home_is_closed_to_anonymous_visitors(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
