"""In Chromium: a préventeur publishes a regional item; who sees it, by default and by region."""

import re

import pytest
from django.core.files.base import ContentFile

from attachments.tests.files import pdf_bytes, xlsx_bytes
from conftest import log_in, screenshot
from news.models import Document, NewsItem

from .conftest import EDITOR_PERMISSIONS, grant, make_document, make_news


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_regional_item_reaches_its_caisse_by_default_and_others_by_region(
    page, live_server, preventeur_a, establishment_a, establishment_b, caisse_a, help_content
):
    make_news("Nouvelle actualité nationale", days_ago=2,
              summary="Le programme TMS Pros en quatre étapes.")  # fmt: skip
    make_news("Test Jmo", days_ago=3, summary="Une première actualité.")
    make_document("Tableau de bord TMS vierge", category=Document.Category.TOOL,
                  content=xlsx_bytes(), filename="tableau_de_bord_tms_vierge.xlsx",
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  description="La trame à compléter chaque année.")  # fmt: skip
    tutorial = make_document("Tutoriel de la Cramif", caisse=caisse_a,
                             description="Se connecter et utiliser l'espace restreint.")  # fmt: skip
    tutorial.file.save("t.pdf", ContentFile(pdf_bytes() * 4000), save=False)
    tutorial.size = tutorial.file.size
    tutorial.save()

    # The préventeur publishes in the admin: "Portée" offers the Cramif only.
    grant(preventeur_a, *EDITOR_PERMISSIONS)
    log_in(page, live_server, preventeur_a)
    page.goto(f"{live_server.url}/admin/news/newsitem/add/")
    page.get_by_label("Titre").fill("Nouvelle actualité régionale")
    page.get_by_label("Résumé").fill("Un atelier francilien sur les tableaux de bord TMS.")
    page.get_by_label("Contenu").fill(
        "Vos préventeurs présentent les indicateurs à suivre.\n\nInscriptions par e-mail."
    )
    assert page.get_by_label("Portée").locator("option").all_inner_texts() == ["Cramif"]
    page.get_by_label("Publiée").check()
    screenshot(page, "news_admin_add")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/news/newsitem/$"))
    item = NewsItem.objects.get(title="Nouvelle actualité régionale")
    assert item.caisse == caisse_a and item.is_on_portal

    # An establishment of the Cramif: on its home page and on ACTUALITÉS.
    log_in(page, live_server, establishment_a.account)
    page.goto(f"{live_server.url}/")
    news = page.locator("section", has=page.get_by_role("heading", name="Actualités"))
    assert news.get_by_role("heading", name="Nouvelle actualité régionale").is_visible()
    assert news.get_by_role("link", name="CONSULTER").count() == 3
    # The script submits on change: the button is hidden.
    assert not news.get_by_role("button", name="Filtrer").is_visible()
    screenshot(page, "news_home")
    page.get_by_role("link", name="ACTUALITÉS", exact=True).click()
    page.wait_for_url(f"{live_server.url}/actualites/")
    assert page.get_by_role("heading", name="Nouvelle actualité régionale").is_visible()
    screenshot(page, "news_list")
    page.get_by_role("link", name="CONSULTER : Nouvelle actualité régionale").click()
    assert page.get_by_role("heading", name="Nouvelle actualité régionale", level=1).is_visible()
    assert page.get_by_text("Inscriptions par e-mail.").is_visible()
    screenshot(page, "news_item")
    page.get_by_role("link", name="DOCUMENTATION", exact=True).click()
    assert page.get_by_role("link", name=re.compile("Tutoriel de la Cramif")).is_visible()
    screenshot(page, "news_documentation")
    page.get_by_role("link", name="BESOIN D'AIDE", exact=True).click()
    page.get_by_text("J'ai oublié mon mot de passe : comment faire ?").click()
    assert page.get_by_text("il ne sert qu'une fois").is_visible()
    screenshot(page, "news_help")

    # An establishment of another caisse: not by default, yes after choosing the region.
    log_in(page, live_server, establishment_b.account)
    page.goto(f"{live_server.url}/")
    news = page.locator("section", has=page.get_by_role("heading", name="Actualités"))
    assert news.get_by_role("heading", name="Nouvelle actualité nationale").is_visible()
    assert news.get_by_text("Nouvelle actualité régionale").count() == 0
    page.get_by_label("Filtrer par région").select_option(label="Île-de-France")
    page.wait_for_url(f"{live_server.url}/?region=CRAMIF")
    news = page.locator("section", has=page.get_by_role("heading", name="Actualités"))
    assert news.get_by_role("heading", name="Nouvelle actualité régionale").is_visible()
    assert news.get_by_text("Nouvelle actualité nationale").count() == 0
    page.get_by_role("link", name="Voir toute l’actualité").click()
    page.wait_for_url(f"{live_server.url}/actualites/?region=CRAMIF")
    assert page.get_by_role("heading", name="Nouvelle actualité régionale").is_visible()
    page.get_by_role("link", name="ACTUALITÉS", exact=True).click()
    assert page.get_by_text("Nouvelle actualité régionale").count() == 0
    page.get_by_label("Filtrer par région").select_option(label="Île-de-France")
    page.wait_for_url(f"{live_server.url}/actualites/?region=CRAMIF")
    assert page.get_by_role("heading", name="Nouvelle actualité régionale").is_visible()

    # A visitor: the help, from the login page, with every caisse's contact.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_role("link", name="BESOIN D'AIDE ?").click()
    assert page.get_by_role("heading", name="Vos interlocuteurs").is_visible()
    assert page.get_by_role("link", name="infos.tmspros.cramif@assurance-maladie.fr").is_visible()
    screenshot(page, "news_help_visitor")

    # Phone width.
    log_in(page, live_server, establishment_a.account)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/actualites/")
    screenshot(page, "news_list_phone")


@pytest.mark.browser
def test_the_region_filter_lets_a_keyboard_reach_every_region(page, live_server, establishment_b):
    log_in(page, live_server, establishment_b.account)
    page.goto("/actualites/")
    select = page.get_by_label("Filtrer par région")
    select.focus()
    page.keyboard.press("ArrowDown")  # moves the choice, applies nothing yet
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert "region=" not in page.url
    chosen = select.input_value()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"region="))
    assert f"region={chosen}" in page.url
    # With the mouse (or a test's select_option), the choice applies at once.
    page.get_by_label("Filtrer par région").select_option(label="Nationales")
    page.wait_for_url(re.compile(r"region=nationales"))
