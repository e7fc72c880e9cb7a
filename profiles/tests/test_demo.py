import io

from django.core.management import call_command

from profiles.models import Establishment


def test_demo_loads_complete_and_incomplete_profiles_and_is_idempotent(db):
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    establishments = list(Establishment.objects.all())
    assert len(establishments) == 4
    assert {e.is_profile_complete for e in establishments} == {True, False}
    assert any(e.has_figures for e in establishments)


def test_demo_accounts_with_their_password_get_no_activation_email(db, mailoutbox):
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("send_activation_emails", stdout=out)
    assert "0 e-mail(s) d'activation envoyé(s)." in out.getvalue()
    assert mailoutbox == []


def test_demo_has_a_national_team_account_that_edits_the_programme(client, db):
    import pyotp

    from parcours.models import Question
    from profiles.management.commands.demo import DEMO_TOTP_SECRETS

    call_command("demo", stdout=io.StringIO())
    client.post(
        "/compte/login/",
        {"login": "equipe.nationale@tmspros.example.fr", "password": "Demo-TmsPros-2026!"},
    )
    secret = DEMO_TOTP_SECRETS["equipe.nationale@tmspros.example.fr"]
    client.post("/compte/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
    question = Question.objects.get(code="Q8")
    assert client.get(f"/admin/parcours/question/{question.pk}/change/").status_code == 200
