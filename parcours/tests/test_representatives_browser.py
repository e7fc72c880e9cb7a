"""A staff representative's journey in Chromium: invited, activated, comments, marks seen."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from conftest import log_in, screenshot
from parcours.models import Answer, Comment, Question

from .conftest import form_data

PASSWORD = "Representant-Cse-2026!"


@pytest.mark.browser
def test_the_establishment_invites_a_representative_who_comments_and_marks_the_step_seen(
    page, live_server, establishment_a
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    client = Client()
    client.force_login(establishment_a.account)
    client.post("/parcours/etape/1/", form_data(establishment_a, 1))
    q1 = Question.objects.get(code="Q1")
    before = Answer.objects.get(establishment=establishment_a, question=q1).value

    # The establishment invites its CSE representative from "Mon profil".
    log_in(page, live_server, establishment_a.account)
    page.goto("/mon-profil/")
    page.get_by_label("Nom", exact=True).last.fill("Moreau")
    page.get_by_label("Prénom", exact=True).last.fill("Rémi")
    page.get_by_label("Courriel", exact=True).last.fill("remi.moreau@example.fr")
    page.get_by_label("Mandat").select_option(label="CSE")
    mail.outbox.clear()
    page.get_by_role("button", name="Envoyer l'invitation", exact=True).click()
    page.get_by_text("Invitation envoyée").first.wait_for()
    screenshot(page, "representatives-invited")
    [invitation] = [m for m in mail.outbox if "remi.moreau@example.fr" in m.to]
    link = re.search(r"(http://\S+/invitation/\S+)", invitation.body).group(1)

    # The representative activates their own account and logs in with their e-mail.
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()
    page.context.clear_cookies()
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill("remi.moreau@example.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()

    page.goto("/parcours/etape/1/")
    assert page.locator(f"[name=q_{q1.pk}]").first.is_disabled()
    page.get_by_label("Commentaires CSE/CHSCT/DP").first.fill(
        "Le CSE a relu l'état des lieux et l'approuve."
    )
    page.get_by_label("Etape vue par CSE / CHSCT / DP").check()
    page.get_by_role("button", name="ENREGISTRER").click()
    page.get_by_text("Vos commentaires ont été enregistrés.").wait_for()
    assert not page.get_by_role("link", name="MON PROFIL").count()
    screenshot(page, "representatives-step")

    # A forged POST of an answer by the representative changes nothing.
    page.evaluate(
        """(name) => document.querySelectorAll(`[name="${name}"]`)
                         .forEach((input) => { input.disabled = false; })""",
        f"q_{q1.pk}",
    )
    page.locator(f"[name=q_{q1.pk}][value=non]").check(force=True)
    page.get_by_role("button", name="ENREGISTRER").click()
    assert Answer.objects.get(establishment=establishment_a, question=q1).value == before
    comment = Comment.objects.get(voice=Comment.Voice.REPRESENTATIVES)
    assert comment.author.username == "remi.moreau@example.fr"

    # The establishment sees the comment with the representative's name.
    page.context.clear_cookies()
    log_in(page, live_server, establishment_a.account)
    page.goto("/parcours/etape/1/")
    assert page.get_by_text("Le CSE a relu l'état des lieux et l'approuve.").is_visible()
    assert page.get_by_text("Rémi Moreau").first.is_visible()
    assert page.get_by_text("Etape vue par CSE / CHSCT / DP").first.is_visible()
    screenshot(page, "representatives-seen-by-establishment")
