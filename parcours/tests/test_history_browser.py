"""The comment history in Chromium: reached from the step by keyboard, paged, no axe violation."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from conftest import log_in, screenshot
from parcours.models import Comment, Question
from parcours.steps import EARLIER_SHOWN

pytestmark = pytest.mark.browser


def serious_violations(page) -> list:
    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["help"]) for v in violations if v["impact"] in ("serious", "critical")]


def test_the_history_is_reached_from_the_step_and_read_page_by_page(
    transactional_db, page, live_server, establishment_a
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    block = Question.objects.get(code="Q1").block
    for index in range(1, 26):
        Comment.objects.create(
            establishment=establishment_a,
            block=block,
            voice=Comment.Voice.ESTABLISHMENT,
            text=f"Version {index} du commentaire",
            author=establishment_a.account,
        )
    log_in(page, live_server, establishment_a.account)
    page.goto("/parcours/etape/1/")
    page.get_by_text("Versions précédentes (24)").click()
    assert page.get_by_text(f"Version {25 - EARLIER_SHOWN} du commentaire").is_visible()
    link = page.get_by_role(
        "link", name="Voir tout l'historique des commentaires de l'établissement"
    )
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/parcours/etape/1/historique/{block.pk}/etablissement/")
    assert page.title().startswith("Historique des commentaires – Étape 1")
    assert page.get_by_text("Version 25 (version actuelle)").is_visible()
    assert serious_violations(page) == []
    screenshot(page, "comment_history")
    page.get_by_role("navigation", name="Pages de l'historique").get_by_role(
        "link", name="Plus anciennes"
    ).click()
    page.wait_for_url("**?page=2")
    assert page.get_by_text("Version 1 du commentaire").is_visible()
    assert serious_violations(page) == []
