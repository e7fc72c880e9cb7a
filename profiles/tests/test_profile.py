from html import unescape

import pytest
from django.urls import reverse

from conftest import PASSWORD
from profiles.decorators import PROFILE_REQUIRED_MESSAGE
from profiles.forms import normalize_french_phone

VALID = {
    "head_last_name": "Durand",
    "head_first_name": "Anne",
    "head_function": "Gérante",
    "head_email": "anne.durand@example.fr",
    "head_phone": "+33 6 12 34 56 78",
    "head_address": "5 place du Marché, 59000 Lille",
    "is_space_manager": "True",
    "belongs_to_group": "False",
    "has_staff_representative": "False",
}


@pytest.fixture(autouse=True)
def _head_email_already_valid(db, request):
    """Establishment B keeps its head's address (changing it asks for the
    password again: tested at the end of this file)."""
    if "establishment_b" in request.fixturenames:
        establishment = request.getfixturevalue("establishment_b")
        establishment.head_email = VALID["head_email"]
        establishment.save(update_fields=["head_email"])


@pytest.fixture
def incomplete_b(establishment_b):
    for name in ("head_last_name", "head_phone"):
        setattr(establishment_b, name, "")
    establishment_b.is_space_manager = None
    establishment_b.save()
    return establishment_b


def test_profile_page_shows_seed_labels_and_read_only_company_data(client_a, establishment_a):
    response = client_a.get(reverse("profiles:profile"))
    html = unescape(response.content.decode())
    for text in (
        "Mes coordonnées",
        "Les champs marqués d'un",
        "Chef d'établissement",
        "Contacts Etablissement",
        "Les récapitulatifs de progression seront envoyés à cette adresse email.",
        "VALIDER MON PROFIL",
        establishment_a.siret,
        "Cramif",
        "1 rue de la Paix",
    ):
        assert text in html, text
    # The company's imported data is not a field of the form.
    assert 'name="siret"' not in html and 'name="name"' not in html


def test_valid_profile_is_saved_normalised_and_confirmed(client_b, incomplete_b):
    response = client_b.post(reverse("profiles:profile"), VALID, follow=True)
    assert "Votre profil a été enregistré." in unescape(response.content.decode())
    incomplete_b.refresh_from_db()
    assert incomplete_b.head_phone == "06 12 34 56 78"
    assert incomplete_b.is_space_manager is True and incomplete_b.belongs_to_group is False
    assert incomplete_b.is_profile_complete
    assert incomplete_b.profile_updated_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("head_last_name", "  ", "Saisissez le nom du chef d'établissement."),
        ("head_first_name", "", "Saisissez le prénom du chef d'établissement."),
        ("head_email", "anne.durand", "Saisissez une adresse e-mail valide"),
        ("head_phone", "12 34", "Saisissez un numéro de téléphone français à 10 chiffres"),
        (
            "head_phone",
            "+44 20 7946 0958",
            "Saisissez un numéro de téléphone français à 10 chiffres",
        ),
        ("head_address", "", "Saisissez l'adresse."),
        ("is_space_manager", "", "Répondez par oui ou par non."),
        ("belongs_to_group", "peut-être", "Sélectionnez un choix valide"),
        ("has_staff_representative", "", "Répondez par oui ou par non."),
    ],
)
def test_each_bad_value_is_refused_next_to_its_field_and_keeps_what_was_typed(
    client_b, incomplete_b, field, value, message
):
    data = {**VALID, field: value}
    response = client_b.post(reverse("profiles:profile"), data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert message in html
    assert f'id="id_{field}_error"' in html or f'id="error_1_id_{field}"' in html
    for name in ("head_last_name", "head_first_name", "head_email", "head_address"):
        if name != field:
            assert f'value="{VALID[name]}"' in html
    if field != "head_phone":
        assert 'value="+33 6 12 34 56 78"' in html
    incomplete_b.refresh_from_db()
    assert not incomplete_b.is_profile_complete


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0102030405", "01 02 03 04 05"),
        ("01.02.03.04.05", "01 02 03 04 05"),
        ("+33 (0)1 02 03 04 05", "01 02 03 04 05"),
        ("0033 6 12 34 56 78", "06 12 34 56 78"),
        ("+262 262 12 34 56", "02 62 12 34 56"),
        ("00 12 34 56 78", None),
        ("01 02 03 04", None),
    ],
)
def test_french_phone_numbers_are_normalised(typed, stored):
    assert normalize_french_phone(typed) == stored


def test_profile_url_has_no_id_so_an_establishment_only_reaches_its_own(
    client_b, establishment_a, incomplete_b
):
    assert reverse("profiles:profile") == "/mon-profil/"
    response = client_b.get("/mon-profil/")
    html = unescape(response.content.decode())
    assert incomplete_b.siret in html and establishment_a.siret not in html
    assert establishment_a.head_email not in html
    client_b.post(
        "/mon-profil/", {**VALID, "siret": establishment_a.siret, "id": establishment_a.pk}
    )
    establishment_a.refresh_from_db()
    incomplete_b.refresh_from_db()
    assert establishment_a.head_last_name == "Martin"
    assert incomplete_b.head_last_name == "Durand"
    assert incomplete_b.siret != establishment_a.siret


def test_profile_is_closed_to_anonymous_and_to_staff(client, preventeur_a):
    response = client.get("/mon-profil/")
    assert response.status_code == 302 and "/compte/" in response["Location"]
    client.force_login(preventeur_a)
    # The menu shows "MON PROFIL" to staff too: they are sent home, not to an error page.
    response = client.get("/mon-profil/", follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "« Mon profil » est la page des établissements." in unescape(response.content.decode())
    assert client.post("/mon-profil/", VALID).status_code == 302


def test_invisible_characters_are_dropped_and_do_not_count_as_a_value(client_b, incomplete_b):
    response = client_b.post(
        "/mon-profil/",
        {**VALID, "head_last_name": "\u202e\u200b", "head_address": "5 rue\u202e du\x07 Port"},
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Saisissez le nom du chef d'établissement." in html
    client_b.post("/mon-profil/", {**VALID, "head_address": "5 rue\u202e du\x07 Port"})
    incomplete_b.refresh_from_db()
    assert incomplete_b.head_address == "5 rue du Port"


def test_completing_the_profile_says_the_parcours_is_open(client_b, incomplete_b):
    response = client_b.post("/mon-profil/", VALID, follow=True)
    html = unescape(response.content.decode())
    assert "Il est complet : vous pouvez maintenant accéder à votre parcours." in html
    assert html.count("Les champs marqués d'un") == 1


def test_gate_redirects_parcours_to_profile_with_the_seed_message(client_b, incomplete_b):
    response = client_b.get(reverse("parcours:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("profiles:profile")
    assert PROFILE_REQUIRED_MESSAGE in unescape(response.content.decode())


def test_gate_opens_once_the_profile_is_complete(client_b, incomplete_b):
    client_b.post(reverse("profiles:profile"), VALID)
    response = client_b.get(reverse("parcours:index"))
    assert response.status_code == 200


def test_changing_the_head_email_asks_for_the_password_first(client_b, establishment_b):
    """That address receives the account's password resets: an open session must
    not be enough to take the account through it."""
    pirate = {**VALID, "head_email": "pirate@example.fr"}
    response = client_b.post(reverse("profiles:profile"), pirate)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    establishment_b.refresh_from_db()
    assert establishment_b.head_email == VALID["head_email"]
    # The password typed, the suspended change goes through as it was sent.
    response = client_b.post(
        f"{reverse('account_reauthenticate')}?next={reverse('profiles:profile')}",
        {"password": PASSWORD},
    )
    establishment_b.refresh_from_db()
    assert establishment_b.head_email == "pirate@example.fr"


def test_a_first_head_email_is_part_of_completing_the_profile(client_b, establishment_b):
    establishment_b.head_email = ""
    establishment_b.save(update_fields=["head_email"])
    client_b.post(reverse("profiles:profile"), VALID)
    establishment_b.refresh_from_db()
    assert establishment_b.head_email == VALID["head_email"]
