import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def never_activated(establishment_a, establishment_b):
    for establishment in (establishment_a, establishment_b):
        user = establishment.account
        user.set_unusable_password()
        user.save()
    return establishment_a, establishment_b


def test_activation_emails_go_to_accounts_never_activated_nor_sent(
    never_activated, mailoutbox, django_capture_on_commit_callbacks
):
    establishment_a, establishment_b = never_activated
    User.objects.filter(pk=establishment_b.account.pk).update(activated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        out = run("send_activation_emails")
    assert "1 e-mail(s) d'activation envoyé(s)." in out
    assert [message.to for message in mailoutbox] == [[establishment_a.account.email]]
    assert establishment_a.siret in mailoutbox[0].body
    assert "/compte/activer/" in mailoutbox[0].body
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.activation_sent_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        out = run("send_activation_emails")
    assert "0 e-mail(s) d'activation envoyé(s)." in out
    assert len(mailoutbox) == 1


def test_resend_sends_again_to_accounts_already_sent_one(
    never_activated, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.update(activation_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        out = run("send_activation_emails", "--resend")
    assert "2 e-mail(s) d'activation envoyé(s)." in out
    assert len(mailoutbox) == 2


def test_activation_emails_filtered_by_siret_and_by_caisse(
    never_activated, mailoutbox, django_capture_on_commit_callbacks
):
    establishment_a, establishment_b = never_activated
    spaced = f"{establishment_b.siret[:3]} {establishment_b.siret[3:]}"
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 e-mail(s)" in run("send_activation_emails", "--siret", spaced)
        assert "1 e-mail(s)" in run("send_activation_emails", "--caisse", "cramif")
        assert "0 e-mail(s)" in run("send_activation_emails", "--caisse", "CARSAT_HDF")
    assert [m.to[0] for m in mailoutbox] == [establishment_b.account.email, establishment_a.account.email]


def test_unknown_caisse_is_an_error(db):
    with pytest.raises(CommandError, match="Caisse « NOWHERE » inconnue."):
        run("send_activation_emails", "--caisse", "NOWHERE")


def test_create_preventer_makes_a_staff_account_of_the_caisse_and_sends_its_activation(
    caisse_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(
            "create_preventer",
            "Jeanne.Roux@Cramif.example.fr",
            "--caisse",
            "CRAMIF",
            "--first-name",
            "Jeanne",
            "--last-name",
            "Roux",
        )
    assert "Préventeur Jeanne Roux" in out
    user = User.objects.get(username="jeanne.roux@cramif.example.fr")
    assert (user.kind, user.caisse, user.is_staff) == (User.Kind.PREVENTEUR, caisse_a, True)
    assert not user.has_usable_password()
    assert user.activation_sent_at is not None
    assert [m.to for m in mailoutbox] == [["jeanne.roux@cramif.example.fr"]]
    assert "/compte/activer/" in mailoutbox[0].body
    # A préventeur has no establishment: the message says what the account is for.
    assert "de votre établissement" not in mailoutbox[0].body
    assert "administration de TMS Pros" in mailoutbox[0].body


def test_create_preventer_refuses_a_duplicate_or_an_unknown_caisse(preventeur_a):
    with pytest.raises(CommandError, match="existe déjà"):
        run(
            "create_preventer",
            preventeur_a.email,
            "--caisse",
            "CRAMIF",
            "--first-name",
            "P",
            "--last-name",
            "D",
        )
    with pytest.raises(CommandError, match="inconnue"):
        run(
            "create_preventer",
            "x@example.fr",
            "--caisse",
            "ZZ",
            "--first-name",
            "P",
            "--last-name",
            "D",
        )
