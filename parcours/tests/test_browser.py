"""The journey of step 1 in Chromium: fill, save, see the state, the préventeur told."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import log_in, screenshot
from parcours.models import StepProgress

from .conftest import attach

pytestmark = pytest.mark.browser


def test_fill_step_one_save_and_the_preventeur_is_told(
    transactional_db, page, live_server, establishment_a, preventeur_a
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    # The dashboard of Q8 was deposited earlier (the upload itself is the attachments journey).
    attach(establishment_a, "Q8", name="tableau de bord 2025.xlsx")
    mail.outbox = []
    log_in(page, live_server, establishment_a.account)

    page.goto("/parcours/")
    assert page.get_by_text("Il n'est pas utile d'attendre la validation").is_visible()
    screenshot(page, "parcours_index")
    page.get_by_role("link", name="En quoi suis-je concerné ?").first.click()
    page.wait_for_url("**/parcours/etape/1/")
    assert page.get_by_text(
        "169 est le nombre de journées perdues liées aux TMS dans votre établissement, "
        "soit 0.8 équivalents temps plein."
    ).is_visible()
    assert page.locator(".tms-badge-to_complete").first.is_visible()

    page.locator("#question-Q1").get_by_label("Oui").check()
    page.locator("#question-Q2").get_by_label("Absentéisme").check()
    page.locator("#question-Q2").get_by_label("Arrêts de travail").check()
    page.locator("#question-Q3").get_by_label("Modéré").check()
    page.locator("#question-Q4 textarea").fill("Réduire les arrêts et fidéliser l'équipe.")
    page.locator("#question-Q5 input").fill("120")
    page.locator("#question-Q6 input").fill("4")
    page.locator("#question-Q7 input").fill("2025-03-14")
    page.get_by_label("Commentaires de l'établissement").first.fill("État des lieux fait en mars.")

    # Leaving with unsaved changes asks first (the browser's own dialog).
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Mon profil").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/parcours/etape/1/")
    page.remove_listener("dialog", dismiss)

    page.locator("#question-Q1").scroll_into_view_if_needed()
    screenshot(page, "step1_filled")
    page.get_by_role("button", name="ENREGISTRER").click()
    page.wait_for_load_state()

    assert page.get_by_text("Vos réponses ont été enregistrées.").is_visible()
    assert page.locator("h1 + div .tms-badge-complete").is_visible()
    assert page.locator("#question-Q4 textarea").input_value() == (
        "Réduire les arrêts et fidéliser l'équipe."
    )
    screenshot(page, "step1_saved")

    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.status == StepProgress.Status.COMPLETE
    assert [message.to for message in mail.outbox] == [[preventeur_a.email]]
    assert "73282932000074" in mail.outbox[0].body

    page.goto("/parcours/")
    assert page.locator(".tms-badge-complete").count() == 1
