"""The whole tutorial of the seeds in Chromium, as a new establishment lives it, then a préventeur.

The establishment (seed 000, "TUTORIEL"): the activation e-mail, its password,
the login by SIRET, "Mon profil" before the programme, step 1 with Q8's
dashboard deposited, the export, the news by region, the help, "déconnexion",
and "Mot de passe oublié ?" with the head of establishment's address.
The préventeur: the password then the second factor, their caisse's
establishment followed, commented and its step validated.
"""

import io
import re

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from attachments.models import Attachment
from attachments.workbooks import dashboard_workbook, to_bytes
from conftest import PASSWORD, log_in, screenshot
from news.tests.conftest import make_news
from parcours.models import StepProgress
from parcours.tests.conftest import attach, form_data
from profiles.models import Establishment
from profiles.tests.sirets import make_siret

pytestmark = pytest.mark.browser

SIRET = make_siret(2026)
FIRST_PASSWORD = "Premier-Passe-2026!"
NEW_PASSWORD = "Nouveau-Passe-2026!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def link_in(message, path):
    return re.search(rf"https?://\S+{re.escape(path)}\S+", message.body).group(0)


@pytest.fixture
def programme(db, caisse_a, caisse_b, preventeur_a, tmp_path):
    """What the caisse and the national team prepared: the programme, the news, the help,
    and the establishment imported (an account never activated)."""
    from importlib import import_module

    from django.apps import apps as django_apps

    from news.models import HelpTheme

    call_command("load_parcours", stdout=io.StringIO())  # with Q8's templates
    if not HelpTheme.objects.exists():
        import_module("news.migrations.0002_help_content").load(django_apps, None)
    make_news("Nouvelle actualité nationale", days_ago=3)
    make_news("Atelier francilien des tableaux de bord", caisse=caisse_a, days_ago=2)
    make_news("Rencontres des Hauts-de-France", caisse=caisse_b, days_ago=1)
    csv_file = tmp_path / "etablissements.csv"
    csv_file.write_text(
        "siret;raison_sociale;caisse;email;adresse;code_postal;ville;preventeur_email;"
        "jours_perdus_tms;jours_perdus_lombalgies;annee_donnees\r\n"
        f"{SIRET};Menuiserie Epsilon;CRAMIF;contact@epsilon.example.fr;8 rue des Copeaux;"
        f"75012;Paris;{preventeur_a.email};169;473;2025\r\n",
        encoding="utf-8",
    )
    call_command("import_establishments", str(csv_file), stdout=io.StringIO())
    return Establishment.objects.get(siret=SIRET)


def test_a_new_establishment_walks_the_whole_tutorial(
    page, live_server, programme, preventeur_a, mailoutbox
):
    establishment = programme

    # 01 – The activation e-mail: the identifier and a link, never a password.
    call_command("send_activation_emails", "--siret", SIRET, stdout=io.StringIO())
    [activation] = [m for m in mailoutbox if m.to == ["contact@epsilon.example.fr"]]
    assert SIRET in activation.body
    page.goto(link_in(activation, "/compte/activer/"))
    screenshot(page, "journey-01-activation")
    page.get_by_label("Mot de passe", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()
    page.wait_for_url(f"{live_server.url}/")

    # Log out and in again with "Votre SIRET sans espace" and "ME CONNECTER".
    page.get_by_role("button", name="déconnexion").click()
    page.wait_for_url("**/compte/login/**")
    page.get_by_label("Identifiant").fill(SIRET)
    page.get_by_label("Mot de passe").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Menuiserie Epsilon")).to_be_visible()
    for entry in ("BESOIN D'AIDE", "MON PARCOURS", "MON PROFIL", "MES PIÈCES JOINTES",
                  "DOCUMENTATION", "ACTUALITÉS"):  # fmt: skip
        expect(page.get_by_role("link", name=entry, exact=True)).to_be_visible()
    screenshot(page, "journey-02-home-before-profile")

    # 02 – The gate: "POURSUIVRE MON PARCOURS" is off, "Mon parcours" leads to "Mon profil".
    expect(page.get_by_role("button", name="POURSUIVRE MON PARCOURS")).to_be_disabled()
    page.get_by_role("link", name="MON PARCOURS", exact=True).click()
    page.wait_for_url("**/mon-profil/")
    expect(
        page.get_by_role("alert").filter(has_text="La mise à jour du profil est nécessaire")
    ).to_be_visible()
    page.get_by_label("Nom", exact=True).fill("Roux")
    page.get_by_label("Prénom", exact=True).fill("Jeanne")
    page.get_by_label("Fonction", exact=True).fill("Gérante")
    page.get_by_label("Courriel", exact=True).fill("jeanne.roux@epsilon.example.fr")
    page.get_by_label("Téléphone", exact=True).fill("01 43 43 43 43")
    page.get_by_label("Adresse", exact=True).fill("8 rue des Copeaux, 75012 Paris")
    for question, answer in [
        ("Êtes-vous la personne en charge", "Oui"),
        ("L'établissement appartient-il à un groupe", "Non"),
        ("Avez-vous un représentant du personnel", "Oui"),
    ]:
        page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(answer).check()
    screenshot(page, "journey-03-profile")
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    expect(
        page.get_by_role("status").filter(has_text="Votre profil a été enregistré.")
    ).to_be_visible()

    # 03 – "POURSUIVRE MON PARCOURS", step 1, its figures, its questions, Q8's dashboard.
    page.get_by_role("link", name="TMS Pros – accueil").click()
    page.get_by_role("link", name="POURSUIVRE MON PARCOURS").click()
    page.wait_for_url("**/parcours/")
    page.get_by_role("link", name="En quoi suis-je concerné ?").first.click()
    page.wait_for_url("**/parcours/etape/1/")
    expect(page.get_by_text("169 est le nombre de journées perdues liées aux TMS")).to_be_visible()
    page.locator("#question-Q1").get_by_label("Oui").check()
    page.locator("#question-Q2").get_by_label("Absentéisme").check()
    page.locator("#question-Q3").get_by_label("Modéré").check()
    page.locator("#question-Q4 textarea").fill("Réduire les arrêts et fidéliser l'équipe.")
    page.locator("#question-Q5 input").fill("120")
    page.locator("#question-Q6 input").fill("4")
    page.locator("#question-Q7 input").fill("2025-03-14")
    dashboard = to_bytes(dashboard_workbook([2025], establishment_name="Menuiserie Epsilon"))
    q8 = page.locator("#documents-Q8")
    q8.get_by_label("Joindre votre tableau de bord").set_input_files(
        files=[{"name": "tableau_de_bord_2025.xlsx", "mimeType": XLSX, "buffer": dashboard}]
    )
    q8.get_by_label("Description du document (facultative)").fill("Année 2025")
    page.get_by_label("Commentaires de l'établissement").first.fill("essai en cours")
    mail.outbox.clear()
    page.get_by_role("button", name="ENREGISTRER").click()
    expect(page.get_by_text("Vos réponses ont été enregistrées.")).to_be_visible()
    expect(page.locator("#documents-Q8 tbody tr")).to_contain_text("tableau_de_bord_2025.xlsx")
    screenshot(page, "journey-04-step1-saved")
    stored = Attachment.objects.get(establishment=establishment)
    assert stored.original_name == "tableau_de_bord_2025.xlsx" and stored.size == len(dashboard)
    progress = StepProgress.objects.get(establishment=establishment, step__number=1)
    assert progress.status == StepProgress.Status.COMPLETE
    # "votre préventeur Cramif en sera prévenu par mail".
    assert [m.to for m in mail.outbox] == [[preventeur_a.email]]

    # "Mes pièces jointes": the dashboard is there.
    page.get_by_role("link", name="MES PIÈCES JOINTES", exact=True).click()
    expect(page.get_by_role("link", name="tableau_de_bord_2025.xlsx")).to_be_visible()

    # "EXPORTER LES DONNÉES SAISIES": a workbook with the profile and the answers.
    page.get_by_role("link", name="TMS Pros – accueil").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="EXPORTER LES DONNÉES SAISIES").click()
    with open(download.value.path(), "rb") as stream:
        workbook = load_workbook(io.BytesIO(stream.read()))
    texts = {str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert {"Roux", "Réduire les arrêts et fidéliser l'équipe."} <= texts
    assert "Étape 1" in workbook.sheetnames

    # ACTUALITÉS: its caisse's and the national news by default, another region on request.
    news = page.locator("section", has=page.get_by_role("heading", name="Actualités"))
    expect(
        news.get_by_role("heading", name="Atelier francilien des tableaux de bord")
    ).to_be_visible()
    expect(news.get_by_text("Rencontres des Hauts-de-France")).to_have_count(0)
    page.get_by_label("Filtrer par région").select_option(label="Hauts-de-France")
    page.wait_for_url(re.compile(r"region=CARSAT_HDF"))
    news = page.locator("section", has=page.get_by_role("heading", name="Actualités"))
    expect(news.get_by_role("heading", name="Rencontres des Hauts-de-France")).to_be_visible()
    screenshot(page, "journey-05-news-filtered")

    # BESOIN D'AIDE: the questions and answers of the tutorial.
    page.get_by_role("link", name="BESOIN D'AIDE", exact=True).click()
    page.get_by_text("J'ai oublié mon mot de passe : comment faire ?").click()
    expect(page.get_by_text("il ne sert qu'une fois")).to_be_visible()
    screenshot(page, "journey-06-help")

    # 04 – "déconnexion".
    page.get_by_role("button", name="déconnexion").click()
    page.wait_for_url("**/compte/login/**")
    page.goto("/parcours/")
    assert "/compte/login/" in page.url

    # 05 – "Mot de passe oublié ?" with the head of establishment's address (the FAQ's case).
    mail.outbox.clear()
    page.goto("/compte/login/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Identifiant ou adresse e-mail").fill("jeanne.roux@epsilon.example.fr")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", name="Consultez vos e-mails")).to_be_visible()
    [reset] = mail.outbox
    assert reset.to == ["jeanne.roux@epsilon.example.fr"]
    assert reset.subject == f"Modification des informations de connexion pour {SIRET} sur TMS Pros"
    page.goto(link_in(reset, "/compte/password/reset/key/"))
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(NEW_PASSWORD)
    screenshot(page, "journey-07-new-password")
    page.get_by_role("button", name="Réinitialiser le mot de passe").click()
    page.wait_for_load_state()

    # The new password opens the space; the old one no longer does.
    page.context.clear_cookies()
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(SIRET)
    page.get_by_label("Mot de passe").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Menuiserie Epsilon")).to_be_visible()
    screenshot(page, "journey-08-home-after-reset")


def test_a_preventeur_logs_in_with_the_second_factor_follows_comments_and_validates(
    page, live_server, establishment_a, establishment_b, preventeur_a, mailoutbox
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    attach(establishment_a, "Q8")
    from django.test import Client

    client = Client()
    client.force_login(establishment_a.account)
    client.post("/parcours/etape/1/", form_data(establishment_a, 1))
    assert StepProgress.objects.get(establishment=establishment_a).status == "complete"

    # The password, then the code of the authenticator app.
    page.goto("/admin/")
    page.get_by_label("Identifiant").fill(preventeur_a.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    page.get_by_label("Code à 6 chiffres").fill("000000")
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_text("Code incorrect.")).to_be_visible()
    screenshot(page, "journey-preventeur-01-wrong-code")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(preventeur_a.totp_secret).now())
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_url("**/admin/**")

    # The list holds their caisse's establishments only; the one waiting is in its queue.
    page.goto("/admin/profiles/establishment/")
    expect(page.get_by_role("link", name="Ateliers Alpha")).to_be_visible()
    expect(page.get_by_text("Boulangerie Bêta")).to_have_count(0)
    page.get_by_role("link", name=re.compile("En attente de validation")).click()
    screenshot(page, "journey-preventeur-02-waiting")
    page.get_by_role("link", name="Suivi du parcours").first.click()
    page.get_by_role("heading", name="Étape 1 – En quoi suis-je concerné ?").wait_for()

    page.get_by_label("Commentaires de la caisse régionale").first.fill(
        "Il manque des données sur les arrêts de 2024."
    )
    page.get_by_role("button", name="Enregistrer les commentaires de la caisse (étape 1)").click()
    expect(
        page.get_by_text("Commentaires de la caisse régionale de l'étape 1 enregistrés.")
    ).to_be_visible()
    page.get_by_role("button", name="Valider l'étape 1").click()
    expect(page.get_by_text("L'étape 1 est validée.")).to_be_visible()
    screenshot(page, "journey-preventeur-03-validated")

    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.is_validated

    # The establishment sees "Validée" and the caisse's comment.
    page.context.clear_cookies()
    log_in(page, live_server, establishment_a.account)
    page.goto("/parcours/etape/1/")
    expect(page.get_by_text("Il manque des données sur les arrêts de 2024.")).to_be_visible()
    expect(page.get_by_text("Validée").first).to_be_visible()
    screenshot(page, "journey-preventeur-04-establishment-sees-it")
    assert any("est validée" in m.subject for m in mailoutbox if establishment_a.head_email in m.to)
