"""The préventeur's journey in Chromium: created, activated, second factor, validates a step."""

import io
import re

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from conftest import log_in, screenshot
from parcours.models import StepProgress

from .conftest import attach, form_data

NEW_PASSWORD = "Preventeur-Cramif-2026!"


@pytest.mark.browser
def test_a_new_preventeur_validates_a_complete_step_and_the_establishment_sees_it(
    page, live_server, establishment_a
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    attach(establishment_a, "Q8")
    client = Client()
    client.force_login(establishment_a.account)
    client.post("/parcours/etape/1/", form_data(establishment_a, 1))
    assert StepProgress.objects.get(establishment=establishment_a).status == "complete"

    mail.outbox.clear()
    call_command("create_preventer", "jeanne.roy@cramif.example.fr", "--caisse", "CRAMIF",
                 "--first-name", "Jeanne", "--last-name", "Roy", stdout=io.StringIO())  # fmt: skip
    [activation] = [m for m in mail.outbox if "jeanne.roy@cramif.example.fr" in m.to]
    link = re.search(r"(http://\S+/compte/activer/\S+)", activation.body).group(1)

    page.goto(link)
    page.get_by_label("Mot de passe", exact=False).first.fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()

    # The second factor is set up before any admin page.
    page.get_by_role("heading", name="Configurer la double authentification").wait_for()
    secret = page.locator("#totp-secret").inner_text().strip()
    screenshot(page, "backoffice-totp-setup")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("link", name="Continuer vers l'administration").click()

    page.goto("/admin/profiles/establishment/")
    page.get_by_role("link", name=re.compile("En attente de validation")).click()
    screenshot(page, "backoffice-list")
    page.get_by_role("link", name="Suivi du parcours").first.click()
    page.get_by_role("heading", name="Étape 1 – En quoi suis-je concerné ?").wait_for()
    assert page.get_by_text("Q1 – La direction de l'établissement").is_visible()
    page.get_by_label("Commentaires de la caisse régionale").first.fill(
        "Bel engagement de la direction, à poursuivre."
    )
    page.get_by_role(
        "button", name="Enregistrer les commentaires de la caisse (étape 1)"
    ).click()
    page.get_by_text("Commentaires de la caisse régionale de l'étape 1 enregistrés.").wait_for()
    page.get_by_role("button", name="Valider l'étape 1").click()
    page.get_by_text("L'étape 1 est validée.").wait_for()
    screenshot(page, "backoffice-follow")

    # The establishment sees "Validée" and the caisse's comment.
    page.context.clear_cookies()
    log_in(page, live_server, establishment_a.account)
    page.goto("/")
    assert page.get_by_text("Validée").first.is_visible()
    page.goto("/parcours/etape/1/")
    assert page.get_by_text("Bel engagement de la direction, à poursuivre.").is_visible()
    assert page.get_by_text("Jeanne Roy").first.is_visible()
    screenshot(page, "backoffice-establishment-step")

    to_head = [m.subject for m in mail.outbox if establishment_a.head_email in m.to]
    assert any("est validée" in subject for subject in to_head)
    assert any("nouveaux commentaires" in subject for subject in to_head)
