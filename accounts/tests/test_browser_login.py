"""The login journey in Chromium, as an establishment would live it."""

import re

import pytest
from django.core import mail

from conftest import screenshot

NEW_PASSWORD = "Nouveau-Passe-2026!"


@pytest.mark.browser
def test_lockout_then_forgotten_password_then_events(page, establishment_a):
    page.goto("/")
    screenshot(page, "accounts-login")
    for attempt in range(3):
        page.get_by_label("Identifiant").fill("732 829 320 00074")
        page.get_by_label("Mot de passe").fill(f"Mauvais-{attempt}!x")
        page.get_by_role("button", name="ME CONNECTER").click()
    assert page.get_by_text("Votre compte est bloqué. Veuillez réessayer dans 15 min.").is_visible()
    screenshot(page, "accounts-locked")

    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Identifiant ou adresse e-mail").fill(establishment_a.siret)
    page.get_by_role("button", name="Envoyer").click()
    assert page.get_by_role("heading", name="Consultez vos e-mails").is_visible()

    message = mail.outbox[-1]
    assert (
        message.subject
        == f"Modification des informations de connexion pour {establishment_a.siret} sur TMS Pros"
    )
    link = re.search(r"(http://\S+/compte/password/reset/key/\S+)", message.body).group(1)
    page.goto(link)
    screenshot(page, "accounts-reset-link")
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(NEW_PASSWORD)
    screenshot(page, "accounts-new-password")
    page.get_by_role("button", name="Réinitialiser le mot de passe").click()

    page.goto("/compte/")
    screenshot(page, "accounts-events")
    events = page.get_by_role("table")
    assert events.get_by_text("Réinitialisation du mot de passe").first.is_visible()
    assert events.get_by_text("Compte bloqué").is_visible()
    assert page.get_by_role("button", name="déconnexion").is_visible()
