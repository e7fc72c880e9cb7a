"""BESOIN D'AIDE: open without login, questions by theme as <details>, then the contacts."""

from django.test import Client
from django.urls import reverse

from news.models import HelpQuestion, HelpTheme

from .conftest import page_text

HELP = reverse("news:help")


def test_help_is_open_to_visitors_with_the_first_questions_by_theme(client, help_content):
    response = client.get(HELP)
    assert response.status_code == 200
    html = page_text(response)
    themes = ["Connexion", "Mot de passe", "Profil", "Parcours", "Documents", "Téléchargements"]
    positions = [html.index(f'">{theme}</h2>') for theme in themes]
    assert positions == sorted(positions)
    for question in (
        "Je n'arrive pas à me connecter : que faire ?",
        "J'ai oublié mon mot de passe : comment faire ?",
        "La personne en charge du site TMS Pros a quitté l'établissement",
        "Comment déposer un document ?",
        "Je n'arrive pas à télécharger ou à déposer un document",
    ):
        assert f"<summary>{question}" in html, question
    for words in ("videz le cache", "votre identifiant</strong> (le SIRET) <strong>ou votre "
                  "adresse e-mail</strong>", "Google Chrome", "Firefox", "Microsoft Edge",
                  "« Parcourir »"):  # fmt: skip
        assert words in html, words
    assert html.count("<details") == HelpQuestion.objects.count()


def test_a_visitor_sees_the_21_caisses_with_their_contacts(client, help_content):
    html = page_text(client.get(HELP))
    section = html[html.index('id="interlocuteurs"') :]
    assert (
        '<h2 class="tms-section-title tms-section-green" id="contacts-title">Vos interlocuteurs'
        in html
    )
    assert section.count('<h3 class="h5">') == 21
    assert 'href="mailto:infos.tmspros.cramif@assurance-maladie.fr"' in section
    assert "17/19 avenue de Flandre<br>75019 Paris" in section
    assert 'href="tel:3679"' in section
    assert 'href="mailto:tmspros@carsat-nordpicardie.fr"' in section
    assert "CSS de Mayotte" in section
    assert 'href="/compte/login/"' in html  # back to the login


def test_an_establishment_sees_its_own_caisse_and_preventeur_only(client_a, help_content):
    html = page_text(client_a.get(HELP))
    section = html[html.index('id="interlocuteurs"') :]
    assert section.count('<h3 class="h5">') == 1
    assert '<h3 class="h5">Cramif</h3>' in section
    assert 'href="mailto:infos.tmspros.cramif@assurance-maladie.fr"' in section
    assert "Carsat Hauts-de-France" not in section
    assert "Votre préventeur : Paul Durand" in section
    assert 'aria-current="page" href="/besoin-d-aide/"' in html


def test_a_caisse_without_contact_says_where_to_turn(client_b, establishment_b):
    caisse = establishment_b.caisse
    caisse.email = caisse.phone = caisse.address = ""
    caisse.save()
    html = page_text(client_b.get(HELP))
    assert "mailto:" not in html[html.index('id="interlocuteurs"') :]
    assert "Adressez-vous au service prévention de la caisse (Hauts-de-France)" in html


def test_the_national_team_sees_every_caisse(national_team, help_content):
    client = Client()
    client.force_login(national_team)
    html = page_text(client.get(HELP))
    assert html[html.index('id="interlocuteurs"') :].count('<h3 class="h5">') == 21


def test_the_login_page_links_to_help(client, db):
    html = page_text(client.get(reverse("account_login")))
    assert f'<a href="{HELP}">BESOIN D\'AIDE ?</a>' in html
    assert f'href="{HELP}#interlocuteurs"' in html


def test_help_follows_the_order_written_in_the_admin(client, db):
    later = HelpTheme.objects.create(title="Documents", order=2)
    first = HelpTheme.objects.create(title="Connexion", order=1)
    HelpQuestion.objects.create(theme=first, question="Deuxième ?", answer="b", order=2)
    HelpQuestion.objects.create(theme=first, question="Première ?", answer="a", order=1)
    HelpQuestion.objects.create(theme=later, question="Déposer ?", answer="c", order=1)
    HelpTheme.objects.create(title="Vide", order=3)
    html = page_text(client.get(HELP))
    assert html.index("Première ?") < html.index("Deuxième ?") < html.index("Déposer ?")
    assert ">Vide</" not in html  # a theme without questions is not shown


def test_help_query_count_does_not_grow_with_questions(client, help_content,
                                                       django_assert_max_num_queries):  # fmt: skip
    with django_assert_max_num_queries(10) as few:
        client.get(HELP)
    theme = HelpTheme.objects.first()
    for number in range(20):
        HelpQuestion.objects.create(theme=theme, question=f"Q{number} ?", answer="r")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(HELP)
