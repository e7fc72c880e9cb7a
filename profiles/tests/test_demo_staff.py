"""The demo's staff accounts open the back office in a minute: password, then
the code of their documented TOTP secret."""

import io

import pyotp
from django.core.management import call_command

from accounts.models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP, User
from profiles.management.commands.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS


def test_demo_prints_each_staff_accounts_secret_and_how_to_use_it(
    db, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # printed after commit
        call_command("demo", stdout=out)
    printed = out.getvalue()
    for username, secret in DEMO_TOTP_SECRETS.items():
        assert f"{username} : {secret}" in printed
    assert "pyotp.TOTP(" in printed and "oathtool --totp -b" in printed
    assert len(set(DEMO_TOTP_SECRETS.values())) == len(DEMO_TOTP_SECRETS)


def test_demo_staff_accounts_are_in_their_groups(db):
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())  # idempotent
    groups = {
        user.username: list(user.groups.values_list("name", flat=True))
        for user in User.objects.filter(username__in=DEMO_TOTP_SECRETS)
    }
    assert groups == {
        "preventeur@cramif.example.fr": [PREVENTEURS_GROUP],
        "equipe.nationale@tmspros.example.fr": [NATIONAL_TEAM_GROUP],
    }


def test_the_demo_preventeur_logs_in_with_the_documented_secret(client, db):
    call_command("demo", stdout=io.StringIO())
    username = "preventeur@cramif.example.fr"
    response = client.post("/compte/login/", {"login": username, "password": DEMO_PASSWORD})
    assert response["Location"] == "/compte/2fa/authenticate/"
    client.post(
        "/compte/2fa/authenticate/", {"code": pyotp.TOTP(DEMO_TOTP_SECRETS[username]).now()}
    )
    assert client.get("/admin/").status_code == 200
