"""Staff accounts in the admin: the national team creates, moves, deactivates
préventeurs and resets their second factor; a préventeur only sees their caisse's."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import PREVENTEURS_GROUP, User
from conftest import PASSWORD, give_second_factor

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def national_client(national_team):
    client = Client()
    client.force_login(national_team)
    return client


@pytest.fixture
def colleague_a(caisse_a):
    """Another préventeur of preventeur_a's caisse."""
    user = User.objects.create_user(
        username="marc.blanc@cramif.example.fr",
        email="marc.blanc@cramif.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_a,
        is_staff=True,
        first_name="Marc",
        last_name="Blanc",
    )
    give_second_factor(user)
    return user


def run_action(client, action, *users):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True
    )


def test_the_national_team_creates_a_preventeur_who_receives_the_activation_email(
    national_client, caisse_a, mailoutbox, django_capture_on_commit_callbacks
):
    page = national_client.get(ADD).content.decode()
    assert 'name="email"' in page and 'name="caisse"' in page
    assert 'type="password"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = national_client.post(
            ADD,
            {
                "email": "Jeanne.Roux@Cramif.example.fr",
                "first_name": "Jeanne",
                "last_name": "Roux",
                "caisse": caisse_a.pk,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="jeanne.roux@cramif.example.fr")
    assert (user.kind, user.caisse, user.is_staff, user.email) == (
        User.Kind.PREVENTEUR,
        caisse_a,
        True,
        "jeanne.roux@cramif.example.fr",
    )
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [PREVENTEURS_GROUP]
    assert [m.to for m in mailoutbox] == [["jeanne.roux@cramif.example.fr"]]
    assert "/compte/activer/" in mailoutbox[0].body


def test_creating_a_preventeur_refuses_an_existing_identifier(national_client, preventeur_a):
    response = national_client.post(
        ADD,
        {
            "email": preventeur_a.email.upper(),
            "first_name": "X",
            "last_name": "Y",
            "caisse": preventeur_a.caisse_id,
        },
    )
    assert response.status_code == 200
    assert "Un compte existe déjà avec cet identifiant." in response.content.decode()


def test_the_staff_list_holds_staff_accounts_only(national_client, establishment_a, preventeur_b):
    html = national_client.get(CHANGELIST).content.decode()
    assert preventeur_b.username in html
    assert establishment_a.account.username not in html
    assert national_client.get(change_url(establishment_a.account)).status_code == 404


def test_deactivating_a_preventeur_leaves_their_establishments_without_preventeur(
    national_client, preventeur_a, establishment_a
):
    response = run_action(national_client, "deactivate", preventeur_a)
    assert "1 compte(s) désactivé(s) ; 1 établissement(s) désormais sans préventeur." in (
        response.content.decode()
    )
    preventeur_a.refresh_from_db()
    establishment_a.refresh_from_db()
    assert not preventeur_a.is_active
    assert establishment_a.preventeur is None


def test_unticking_active_on_the_account_page_also_releases_its_establishments(
    national_client, preventeur_a, establishment_a
):
    response = national_client.post(
        change_url(preventeur_a),
        {"first_name": "Paul", "last_name": "Durand", "caisse": preventeur_a.caisse_id},
    )
    assert response.status_code == 302
    establishment_a.refresh_from_db()
    assert establishment_a.preventeur is None


def test_moving_a_preventeur_to_another_caisse_releases_the_former_caisses_establishments(
    national_client, preventeur_a, establishment_a, caisse_b
):
    response = national_client.post(
        change_url(preventeur_a),
        {"first_name": "Paul", "last_name": "Durand", "caisse": caisse_b.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    preventeur_a.refresh_from_db()
    establishment_a.refresh_from_db()
    assert preventeur_a.caisse == caisse_b and preventeur_a.is_active
    assert establishment_a.preventeur is None


def test_a_preventeur_keeps_a_caisse(national_client, preventeur_a):
    response = national_client.post(
        change_url(preventeur_a),
        {"first_name": "Paul", "last_name": "Durand", "caisse": "", "is_active": "on"},
    )
    assert "Un préventeur appartient à une caisse régionale." in response.content.decode()


def test_resetting_the_second_factor_deletes_it_and_tells_the_owner(
    national_client, preventeur_a, mailoutbox, django_capture_on_commit_callbacks
):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(preventeur_a)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(national_client, "reset_second_factor", preventeur_a)
    assert not Authenticator.objects.filter(user=preventeur_a).exists()
    assert [m.to for m in mailoutbox] == [[preventeur_a.email]]
    assert "réinitialisé la double authentification" in mailoutbox[0].body
    # Their next visit goes to the set-up of a new one.
    client = Client()
    client.force_login(preventeur_a)
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_a_preventeur_sees_only_the_preventeurs_of_their_caisse(
    preventeur_a, colleague_a, preventeur_b, national_team
):
    client = Client()
    client.force_login(preventeur_a)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert colleague_a.username in html and preventeur_a.username in html
    assert preventeur_b.username not in html and national_team.username not in html
    # Nothing to act on: no add button, no actions, no link to an account's page.
    assert ADD not in html
    assert 'name="action"' not in html
    assert change_url(colleague_a) not in html
    assert "Carsat" not in html  # no filter listing the caisses


@pytest.mark.parametrize(
    "url",
    [
        lambda colleague, other: ADD,
        lambda colleague, other: change_url(colleague),
        lambda colleague, other: reverse("admin:accounts_user_history", args=[colleague.pk]),
        lambda colleague, other: change_url(other),
    ],
    ids=["add", "colleague", "colleague-history", "other-caisse"],
)
def test_a_preventeur_opens_no_account_page(preventeur_a, colleague_a, preventeur_b, url):
    client = Client()
    client.force_login(preventeur_a)
    assert client.get(url(colleague_a, preventeur_b)).status_code in (403, 404)


def test_a_preventeurs_forged_actions_do_nothing(preventeur_a, colleague_a, preventeur_b):
    client = Client()
    client.force_login(preventeur_a)
    for action in ("deactivate", "reset_second_factor"):
        run_action(client, action, colleague_a, preventeur_b)
    for user in (colleague_a, preventeur_b):
        user.refresh_from_db()
        assert user.is_active
        assert Authenticator.objects.filter(user=user).exists()
    response = client.post(
        change_url(colleague_a),
        {"first_name": "X", "last_name": "Y", "caisse": "", "is_active": ""},
    )
    assert response.status_code == 403
    colleague_a.refresh_from_db()
    assert colleague_a.is_active and colleague_a.first_name == "Marc"
