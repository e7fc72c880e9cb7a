"""Every staff account has a second factor (TOTP): set up before any admin
page, asked after the password at each login."""

import time

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD

LOGIN_URL = reverse("account_login")
SETUP_URL = reverse("mfa_activate_totp")
CODE_URL = reverse("mfa_authenticate")
RECOVERY_CODES_URL = reverse("mfa_view_recovery_codes")


@pytest.fixture
def newcomer(caisse_a):
    """A préventeur who activated the account but has no second factor yet."""
    return User.objects.create_user(
        username="jeanne.roux@cramif.example.fr",
        email="jeanne.roux@cramif.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_a,
        is_staff=True,
    )


def password_login(client, user):
    return client.post(LOGIN_URL, {"login": user.username, "password": PASSWORD})


def logged_in(client):
    return client.get(reverse("account")).wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/profiles/establishment/",
        "/admin/accounts/user/",
        "/admin/parcours/question/",
        "/admin/auth/group/",
        "/",
        "/compte/",
        "/compte/password/change/",
    ],
)
def test_staff_without_second_factor_reaches_no_page_but_its_setup(client, newcomer, url):
    client.force_login(newcomer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


def test_a_superuser_without_second_factor_is_sent_to_its_setup_too(client, db):
    root = User.objects.create_superuser("root@tmspros.example.fr", "root@tmspros.example.fr", "x")
    client.force_login(root)
    assert client.get("/admin/")["Location"] == SETUP_URL


def test_staff_without_second_factor_may_log_out(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not logged_in(client)


def test_setup_page_shows_the_secret_as_text_besides_the_qr_code(client, newcomer):
    password_login(client, newcomer)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == SETUP_URL
    html = response.content.decode()
    secret = response.context["form"].secret
    assert (
        "Clé secrète (à saisir dans votre application si vous ne pouvez pas scanner le QR code)"
        in html
    )
    assert (
        f'<code class="fs-5" id="totp-secret" aria-labelledby="totp-secret-label">{secret}</code>'
        in html
    )
    assert 'src="data:image/svg+xml;base64,' in html  # CSP img-src allows data:, no inline script
    assert "Code à 6 chiffres" in html
    assert ">Activer</button>" in html


def test_a_wrong_code_does_not_set_up_the_second_factor(client, newcomer):
    password_login(client, newcomer)
    client.get(SETUP_URL)
    response = client.post(SETUP_URL, {"code": "000000"})
    assert response.status_code == 200
    assert "Code incorrect." in response.content.decode()
    assert not Authenticator.objects.filter(user=newcomer).exists()


def test_setup_shows_the_recovery_codes_once_then_opens_the_admin(client, newcomer):
    password_login(client, newcomer)
    secret = client.get(SETUP_URL).context["form"].secret
    response = client.post(SETUP_URL, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == RECOVERY_CODES_URL
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()

    shown = client.get(RECOVERY_CODES_URL)
    codes = shown.context["unused_codes"]
    html = shown.content.decode()
    assert len(codes) == 10
    assert all(code in html for code in codes)
    assert "ils ne seront plus affichés" in html
    again = client.get(RECOVERY_CODES_URL).content.decode()
    assert not any(code in again for code in codes)

    assert client.get("/admin/").status_code == 200


def test_login_asks_the_code_after_the_password(client, preventeur_a):
    response = password_login(client, preventeur_a)
    assert response["Location"] == CODE_URL
    assert not logged_in(client)  # the password alone opens nothing
    page = client.get(CODE_URL).content.decode()
    assert "Code à 6 chiffres" in page

    wrong = client.post(CODE_URL, {"code": "000000"})
    assert "Code incorrect." in wrong.content.decode()
    assert not logged_in(client)

    response = client.post(CODE_URL, {"code": pyotp.TOTP(preventeur_a.totp_secret).now()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_once(preventeur_a):
    code = pyotp.TOTP(preventeur_a.totp_secret).now()
    first, second = Client(), Client()
    password_login(first, preventeur_a)
    password_login(second, preventeur_a)
    first.post(CODE_URL, {"code": code})
    assert logged_in(first)
    second.post(CODE_URL, {"code": code})
    assert not logged_in(second)


def test_a_recovery_code_replaces_the_code_once(client, preventeur_a):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    recovery_code = RecoveryCodes.activate(preventeur_a).get_unused_codes()[0]
    password_login(client, preventeur_a)
    client.post(CODE_URL, {"code": recovery_code})
    assert logged_in(client)

    other = Client()
    password_login(other, preventeur_a)
    other.post(CODE_URL, {"code": recovery_code})
    assert not logged_in(other)


def test_a_staff_member_cannot_remove_their_second_factor(client, preventeur_a):
    password_login(client, preventeur_a)
    client.post(CODE_URL, {"code": pyotp.TOTP(preventeur_a.totp_secret).now()})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert "La double authentification est obligatoire" in response.content.decode()
    assert Authenticator.objects.filter(user=preventeur_a, type=Authenticator.Type.TOTP).exists()


def test_establishments_and_representatives_log_in_without_second_factor(
    client, establishment_a, representative_a
):
    for user in (establishment_a.account, representative_a):
        response = password_login(client, user)
        assert response["Location"] == reverse("home")
        assert client.get("/").status_code == 200
        client.post(reverse("account_logout"))


def test_the_setup_asks_the_password_again_once_the_login_is_old(client, newcomer):
    password_login(client, newcomer)
    # ACCOUNT_REAUTHENTICATION_TIMEOUT is 5 minutes: a session left open asks again.
    with time_machine.travel(time.time() + 6 * 60):
        response = client.get(SETUP_URL)
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db(transaction=True)
def test_setting_up_the_second_factor_tells_the_owner_by_email(newcomer, mailoutbox):
    # Committed for real: allauth e-mails from an on_commit callback, inside the request.
    client = Client()
    password_login(client, newcomer)
    secret = client.get(SETUP_URL).context["form"].secret
    client.post(SETUP_URL, {"code": pyotp.TOTP(secret).now()})
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([newcomer.email], "Double authentification activée sur votre compte TMS Pros")
    ]


def test_a_new_preventeur_activates_then_sets_up_the_second_factor_at_once(
    caisse_a, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from accounts.services import create_preventeur

    with django_capture_on_commit_callbacks(execute=True):
        create_preventeur(
            email="jeanne.roux@cramif.example.fr",
            first_name="Jeanne",
            last_name="Roux",
            caisse=caisse_a,
        )
    link = re.search(r"http://\S+/compte/activer/\S+", mailoutbox[0].body).group(0)
    client = Client()
    choose = client.get(link.split("localhost:8000", 1)[-1])["Location"]
    client.post(choose, {"password1": "Premier-Passe-2026!", "password2": "Premier-Passe-2026!"})
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == SETUP_URL  # not the password again
    assert response.status_code == 200


def test_a_staff_member_finds_their_second_factor_from_their_account(client, preventeur_a):
    password_login(client, preventeur_a)
    client.post(CODE_URL, {"code": pyotp.TOTP(preventeur_a.totp_secret).now()})
    assert reverse("mfa_index") in client.get(reverse("account")).content.decode()
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Active : un code à 6 chiffres vous est demandé" in page
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    generate = client.get(reverse("mfa_generate_recovery_codes"))
    assert "Générer de nouveaux codes" in generate.content.decode()
