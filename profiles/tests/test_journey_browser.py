"""The journey of a new establishment, in Chromium: e-mail, password, login, gate, profile."""

import io
import re

import pytest
from django.core.management import call_command

from conftest import screenshot

from .sirets import make_siret

PASSWORD = "Nouveau-Mdp-2026!"
SIRET = make_siret(42)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_activation_email_to_password_login_gate_profile_then_gate_opened(
    page, live_server, tmp_path, mailoutbox, caisse_a
):
    csv_file = tmp_path / "etablissements.csv"
    csv_file.write_text(
        "\ufeffsiret;raison_sociale;caisse;email;adresse;code_postal;ville;jours_perdus_tms;annee_donnees\r\n"
        f"{SIRET};Menuiserie Epsilon;CRAMIF;contact@epsilon.example.fr;8 rue des Copeaux;75012;Paris;640;2025\r\n",
        encoding="utf-8",
    )
    call_command("import_establishments", str(csv_file), stdout=io.StringIO())
    call_command("send_activation_emails", stdout=io.StringIO())

    # The activation e-mail, with its link on this site.
    assert [message.to for message in mailoutbox] == [["contact@epsilon.example.fr"]]
    link = re.search(r"https?://\S+/compte/activer/\S+", mailoutbox[0].body).group(0)
    assert link.startswith(live_server.url)

    # Choose a password: the account is activated and logged in.
    page.goto(link)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()
    page.wait_for_url(f"{live_server.url}/")

    # Log out, then log in with the SIRET and the new password.
    page.get_by_role("button", name="déconnexion").click()
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Identifiant").fill(SIRET)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    page.wait_for_url(f"{live_server.url}/")

    # Home: the programme is closed until the profile is complete.
    assert page.get_by_role("heading", name="Menuiserie Epsilon").is_visible()
    closed = page.get_by_role("button", name="POURSUIVRE MON PARCOURS", exact=True)
    assert closed.is_visible() and closed.is_disabled()
    for title in ("JE METS À JOUR MON PROFIL", "JE CONTACTE MA CAISSE RÉGIONALE"):
        assert page.get_by_role("heading", name=title, exact=True).is_visible(), title
    # "MON PARCOURS" written so is the menu entry alone, so that a click on it is unambiguous.
    assert page.get_by_text("MON PARCOURS", exact=True).count() == 1
    assert (
        "La mise à jour du profil est nécessaire" in page.locator("#parcours-closed").inner_text()
    )
    screenshot(page, "profiles_home_profile_incomplete")

    # The gate: "Mon parcours" leads to "Mon profil" with the seed's message.
    page.get_by_role("link", name="MON PARCOURS", exact=True).click()
    page.wait_for_url(f"{live_server.url}/mon-profil/")
    assert (
        page.get_by_role("alert")
        .filter(has_text="La mise à jour du profil est nécessaire")
        .is_visible()
    )
    screenshot(page, "profiles_profile_gate")

    # A bad phone number: refused next to the field, nothing typed is lost.
    page.fill("#id_head_last_name", "Roux")
    page.fill("#id_head_first_name", "Jeanne")
    page.fill("#id_head_function", "Gérante")
    page.fill("#id_head_email", "jeanne.roux@epsilon.example.fr")
    page.fill("#id_head_phone", "12 34")
    page.fill("#id_head_address", "8 rue des Copeaux, 75012 Paris")
    page.check("#id_is_space_manager_0")
    page.check("#id_belongs_to_group_1")
    page.check("#id_has_staff_representative_0")
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    assert "numéro de téléphone français" in page.locator("#id_head_phone_error").inner_text()
    assert page.input_value("#id_head_last_name") == "Roux"
    assert page.is_checked("#id_belongs_to_group_1")
    screenshot(page, "profiles_profile_error")

    page.fill("#id_head_phone", "+33 1 43 43 43 43")
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    assert page.get_by_role("status").filter(has_text="Votre profil a été enregistré.").is_visible()
    assert page.input_value("#id_head_phone") == "01 43 43 43 43"

    # The gate is open: "POURSUIVRE MON PARCOURS" leads to the programme.
    page.goto(f"{live_server.url}/")
    screenshot(page, "profiles_home")
    page.get_by_role("link", name="POURSUIVRE MON PARCOURS").click()
    page.wait_for_url(f"{live_server.url}/parcours/")

    # Phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    screenshot(page, "profiles_home_phone")
    page.goto(f"{live_server.url}/mon-profil/")
    screenshot(page, "profiles_profile_phone")
