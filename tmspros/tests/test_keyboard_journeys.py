"""Keyboard only, in Chromium: log in, complete "Mon profil", answer and save a step.

Only Tab, Enter and Space (and typing in the fields): every control on the
way is reached in the tab order, and shows where the focus is when it gets it.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import PASSWORD, make_establishment, screenshot
from parcours.models import StepProgress
from parcours.tests.conftest import attach

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
        || style.boxShadow !== "none";
    const name = (element.getAttribute("aria-label") || element.labels?.[0]?.textContent
        || element.textContent || element.name || element.tagName).trim().slice(0, 60);
    // The page's own element: not Chromium's date picker, which takes the focus out of the page.
    return element.matches(":focus") ? {name, ring} : null;
}"""


class Keyboard:
    """Tab through the page as a keyboard user; remember any focus that was not visible."""

    def __init__(self, page):
        self.page = page
        self.invisible: list[str] = []

    def tab_to(self, locator, *, limit=150, backwards=False):
        """Press Tab until `locator` has the focus (it must be in the tab order)."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self.page.evaluate(FOCUSED)
            if focused and not focused["ring"]:
                self.invisible.append(f"{self.page.url}: {focused['name']}")
            if locator.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"{locator} was not reached with Tab in {limit} presses")

    def type_into(self, locator, text):
        self.tab_to(locator)
        self.page.keyboard.type(text)

    def press_on(self, locator, key):
        self.tab_to(locator)
        self.page.keyboard.press(key)

    def assert_focus_was_always_visible(self):
        assert not self.invisible, "focus not visible on: " + "; ".join(self.invisible)


@pytest.fixture
def newcomer(db, caisse_a):
    """An establishment whose profile is still to complete, the programme loaded."""
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    return make_establishment(
        siret="44306184100047",
        name="Menuiserie Gamma",
        caisse_code="CRAMIF",
        complete_profile=False,
    )


def test_log_in_complete_the_profile_and_save_a_step_with_the_keyboard_alone(
    page, live_server, newcomer
):
    attach(newcomer, "Q8")  # Q8's dashboard (the upload has its own journey)
    page.emulate_media(reduced_motion="reduce")
    keyboard = Keyboard(page)

    # Login: the skip link comes first, then the fields, then ME CONNECTER.
    page.goto("/compte/login/")
    page.evaluate("document.activeElement.blur()")
    keyboard.tab_to(page.get_by_role("link", name="Aller au contenu"))
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_in_viewport()
    keyboard.type_into(page.get_by_label("Identifiant"), newcomer.siret)
    keyboard.type_into(page.get_by_label("Mot de passe"), PASSWORD)
    keyboard.press_on(page.get_by_role("button", name="ME CONNECTER"), "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # The menu's MON PROFIL, then the profile filled field by field.
    keyboard.press_on(page.get_by_role("link", name="MON PROFIL", exact=True), "Enter")
    page.wait_for_url("**/mon-profil/")
    for label, value in [
        ("Nom", "Roux"),
        ("Prénom", "Jeanne"),
        ("Fonction", "Gérante"),
        ("Courriel", "jeanne.roux@gamma.example.fr"),
        ("Téléphone", "01 43 43 43 43"),
        ("Adresse", "8 rue des Copeaux, 75012 Paris"),
    ]:
        keyboard.type_into(page.get_by_label(label, exact=True), value)
    for question in (
        "Êtes-vous la personne en charge",
        "L'établissement appartient-il à un groupe",
        "Avez-vous un représentant du personnel",
    ):
        # Tab enters a radio group on its first choice ("Oui"); Space checks it.
        group = page.get_by_role("group", name=re.compile(re.escape(question)))
        keyboard.press_on(group.get_by_label("Oui"), " ")
        expect(group.get_by_label("Oui")).to_be_checked()
    keyboard.press_on(page.get_by_role("button", name="VALIDER MON PROFIL"), "Enter")
    expect(
        page.get_by_role("status").filter(has_text="Votre profil a été enregistré.")
    ).to_be_visible()
    newcomer.refresh_from_db()
    assert newcomer.is_profile_complete and newcomer.head_last_name == "Roux"

    # Home, "POURSUIVRE MON PARCOURS", step 1.
    keyboard.press_on(page.get_by_role("link", name="TMS Pros – accueil"), "Enter")
    page.wait_for_url(f"{live_server.url}/")
    keyboard.press_on(page.get_by_role("link", name="POURSUIVRE MON PARCOURS"), "Enter")
    page.wait_for_url("**/parcours/")
    keyboard.press_on(page.get_by_role("link", name="En quoi suis-je concerné ?").first, "Enter")
    page.wait_for_url("**/parcours/etape/1/")

    # The answers: Space on a choice, typing in the fields, Enter on ENREGISTRER.
    keyboard.press_on(page.locator("#question-Q1").get_by_label("Oui"), " ")
    keyboard.press_on(page.locator("#question-Q2").get_by_label("Absentéisme"), " ")
    keyboard.press_on(page.locator("#question-Q3").get_by_label("Faible"), " ")
    keyboard.type_into(page.locator("#question-Q4 textarea"), "Réduire les arrêts.")
    keyboard.type_into(page.locator("#question-Q5 input"), "120")
    keyboard.type_into(page.locator("#question-Q6 input"), "4")
    # The same day and month: typed in this order whether the field shows dd/mm or mm/dd.
    keyboard.type_into(page.locator("#question-Q7 input"), "03032025")
    expect(page.locator("#question-Q7 input")).to_have_value("2025-03-03")
    keyboard.type_into(
        page.get_by_label("Commentaires de l'établissement").first, "État des lieux fait en mars."
    )
    screenshot(page, "keyboard-step1-filled")
    keyboard.press_on(page.get_by_role("button", name="ENREGISTRER"), "Enter")
    expect(page.get_by_text("Vos réponses ont été enregistrées.")).to_be_visible()
    screenshot(page, "keyboard-step1-saved")

    progress = StepProgress.objects.get(establishment=newcomer, step__number=1)
    assert progress.status == StepProgress.Status.COMPLETE
    keyboard.assert_focus_was_always_visible()
