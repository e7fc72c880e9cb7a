"""Staff representatives' invitations: sent, accepted once by the invited address, expired, resent, withdrawn."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent, User
from conftest import PASSWORD, make_representative
from profiles.models import Invitation, Membership

INVITE = reverse("profiles:invite_representative")
NEW_PASSWORD = "Vigilance-CSE-42"
INVITEE = {
    "invitation-last_name": "Lefèvre",
    "invitation-first_name": "Nadia",
    "invitation-email": "Nadia.Lefevre@Example.fr ",
    "invitation-mandate": "CSE",
}


def invite(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(INVITE, {**INVITEE, **overrides})


def link_in(message) -> str:
    return re.search(r"http://\S+/invitation/\S+/", message.body).group(0)


def path_of(url) -> str:
    return "/" + url.split("/", 3)[3]


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def sent(client_a, django_capture_on_commit_callbacks, mailoutbox):
    """Establishment A has invited Nadia Lefèvre (CSE); the path of her link."""
    response = invite(client_a, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    return path_of(link_in(mailoutbox[-1]))


def accept_with_new_password(path, password=NEW_PASSWORD):
    client = Client()
    response = client.post(path, {"password1": password, "password2": password})
    return client, response


def test_the_invitation_email_names_the_establishment_the_mandate_the_link_and_its_date(
    client_a, establishment_a, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://tmspros.example.fr"
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 0))):
        response = invite(client_a, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nadia.lefevre@example.fr"  # stripped, lower-cased
    assert invitation.invited_by == establishment_a.account
    assert invitation.validity == timedelta(days=7)
    (message,) = mailoutbox
    assert message.to == ["nadia.lefevre@example.fr"]
    assert "Ateliers Alpha" in message.subject and "CSE" in message.subject
    assert "Ateliers Alpha" in message.body and "(CSE)" in message.body
    link = f"https://tmspros.example.fr/invitation/{invitation.token}/"
    assert link in message.body
    assert "valable jusqu'au 09/03/2026 à 10:00" in message.body
    assert "mot de passe" in message.body and PASSWORD not in message.body


def test_the_validity_is_a_setting(client_a, django_capture_on_commit_callbacks, settings):
    settings.INVITATION_VALIDITY_DAYS = 3
    invite(client_a, django_capture_on_commit_callbacks)
    assert Invitation.objects.get().validity == timedelta(days=3)


def test_the_link_asks_for_a_password_with_the_rules(sent):
    response = Client().get(sent)
    assert response.status_code == 200
    html = page(response)
    assert "Invitation – Ateliers Alpha" in html
    assert "nadia.lefevre@example.fr" in html
    assert 'id="password-rules"' in html
    assert "Mot de passe" in html and "Confirmer le mot de passe" in html
    assert "ACTIVER MON COMPTE" in html


def test_accepting_creates_the_account_and_the_membership_and_logs_in(sent, establishment_a):
    client, response = accept_with_new_password(sent)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="nadia.lefevre@example.fr")
    assert user.kind == User.Kind.REPRESENTATIVE
    assert user.email == "nadia.lefevre@example.fr"
    assert (user.first_name, user.last_name) == ("Nadia", "Lefèvre")
    assert user.activated_at is not None and user.check_password(NEW_PASSWORD)
    assert user.events.filter(kind=AccountEvent.Kind.ACTIVATED).exists()
    membership = Membership.objects.get(user=user)
    assert membership.establishment == establishment_a
    assert membership.role == Membership.Role.REPRESENTATIVE and membership.is_active
    assert membership.mandate == Membership.Mandate.CSE
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    home = client.get(reverse("home"))
    assert home.wsgi_request.user == user
    assert home.wsgi_request.establishment == establishment_a


def test_the_new_representative_logs_in_with_the_address(sent, establishment_a):
    accept_with_new_password(sent)
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "Nadia.Lefevre@example.fr", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.establishment == establishment_a


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("court-1A", None),  # 8 characters: accepted
        ("court1A", "Le mot de passe doit contenir au moins 8 caractères."),
        ("sans-majuscule-1", "Le mot de passe doit contenir au moins une majuscule."),
        ("Ateliers-Alpha-1", "ni votre identifiant (SIRET) ni le nom de votre établissement"),
        ("Siret-73282932000074", "ni votre identifiant (SIRET) ni le nom de votre établissement"),
    ],
)
def test_the_password_follows_the_foundation_rules(sent, password, error):
    _, response = accept_with_new_password(sent, password)
    if error is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert error in page(response)
    assert not User.objects.filter(username="nadia.lefevre@example.fr").exists()
    assert Invitation.objects.get().accepted_at is None


def test_two_different_passwords_are_refused(sent):
    client = Client()
    response = client.post(sent, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "Les deux mots de passe ne sont pas identiques." in page(response)
    assert not User.objects.filter(kind=User.Kind.REPRESENTATIVE).exists()


def test_a_used_link_is_refused_with_an_explanation(sent):
    accept_with_new_password(sent)
    for response in (Client().get(sent), accept_with_new_password(sent, "Autre-Mot2passe")[1]):
        assert response.status_code == 400
        html = page(response)
        assert "Invitation non valable" in html
        assert "Cette invitation a déjà été acceptée" in html
        assert reverse("account_login") in html
    assert User.objects.filter(username="nadia.lefevre@example.fr").count() == 1
    assert User.objects.get(username="nadia.lefevre@example.fr").check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_and_the_database_agrees(sent):
    invitation = Invitation.objects.get()
    with time_machine.travel(invitation.sent_at + timedelta(days=6, hours=23)):
        assert Client().get(sent).status_code == 200
        assert Invitation.objects.valid().filter(pk=invitation.pk).exists()
    with time_machine.travel(invitation.sent_at + timedelta(days=7, minutes=1)):
        response = Client().get(sent)
        assert not Invitation.objects.valid().filter(pk=invitation.pk).exists()
        assert Invitation.objects.pending().filter(pk=invitation.pk).exists()
        _, post = accept_with_new_password(sent)
    assert response.status_code == post.status_code == 400
    assert "Cette invitation a expiré le" in page(response)
    assert "Demandez à Ateliers Alpha de vous la renvoyer." in page(response)
    assert not User.objects.filter(username="nadia.lefevre@example.fr").exists()


def test_the_validity_of_a_sent_link_is_kept_when_the_setting_changes(sent, settings):
    settings.INVITATION_VALIDITY_DAYS = 1
    invitation = Invitation.objects.get()
    with time_machine.travel(invitation.sent_at + timedelta(days=5)):
        assert Client().get(sent).status_code == 200


def test_a_resent_invitation_invalidates_the_old_link(
    client_a, establishment_a, sent, django_capture_on_commit_callbacks, mailoutbox
):
    invitation = Invitation.objects.get()
    later = invitation.sent_at + timedelta(days=10)  # expired: resending gives a new week
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client_a.force_login(establishment_a.account)  # the first session has expired since
        response = client_a.post(reverse("profiles:resend_invitation", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("profiles:profile")
    assert len(mailoutbox) == 2
    new_link = path_of(link_in(mailoutbox[-1]))
    assert new_link != sent
    invitation.refresh_from_db()
    assert invitation.sent_at >= later
    with time_machine.travel(later + timedelta(minutes=1)):
        old = Client().get(sent)
        assert old.status_code == 400
        assert "seul le lien du dernier e-mail reçu fonctionne" in page(old)
        _, accepted = accept_with_new_password(new_link)
    assert accepted.status_code == 302
    assert Membership.objects.filter(user__username="nadia.lefevre@example.fr").exists()


def test_a_withdrawn_invitation_is_refused(client_a, sent):
    invitation = Invitation.objects.get()
    client_a.post(reverse("profiles:withdraw_invitation", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    response = Client().get(sent)
    assert response.status_code == 400
    assert "Cette invitation a été retirée par Ateliers Alpha." in page(response)
    _, post = accept_with_new_password(sent)
    assert post.status_code == 400
    assert not User.objects.filter(username="nadia.lefevre@example.fr").exists()


def test_an_unknown_link_explains_itself(db):
    response = Client().get(reverse("profiles:accept_invitation", args=["pas-un-jeton"]))
    assert response.status_code == 400
    assert "Ce lien d'invitation n'est pas valable." in page(response)
    assert reverse("account_login") in page(response)


def test_an_address_with_an_account_gets_a_membership_without_a_second_account(
    client_a,
    establishment_a,
    establishment_b,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    beta = make_representative(establishment_b, email="cse.beta@example.fr")
    invite(
        client_a, django_capture_on_commit_callbacks, **{"invitation-email": "CSE.Beta@example.fr"}
    )
    link = path_of(link_in(mailoutbox[-1]))
    client = Client()
    # Anonymous: asked to log in with that account, and brought back to the invitation.
    response = client.get(link)
    html = page(response)
    assert response.status_code == 200
    assert "Un compte TMS Pros existe déjà pour cette adresse." in html
    assert 'name="password1"' not in html
    login = client.post(
        reverse("account_login") + f"?next={link}",
        {"login": "cse.beta@example.fr", "password": PASSWORD},
    )
    assert login.status_code == 302 and login["Location"] == link
    confirm = client.get(link)
    assert "Accepter l'invitation" in page(confirm)
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.filter(username="cse.beta@example.fr").count() == 1
    assert set(beta.memberships.active().values_list("establishment", flat=True)) == {
        establishment_a.pk,
        establishment_b.pk,
    }
    # They now act for the establishment that invited them.
    assert client.get(reverse("home")).wsgi_request.establishment == establishment_a
    assert Invitation.objects.get().accepted_by == beta


def test_another_logged_in_account_cannot_accept(client_a, establishment_a, sent):
    # The establishment's own account opens the link it sent to someone else.
    response = client_a.get(sent)
    assert response.status_code == 403
    html = page(response)
    assert f"Vous êtes connecté avec le compte <strong>{establishment_a.siret}</strong>" in html
    assert "ne peut être acceptée qu'avec le compte de l'adresse nadia.lefevre@example.fr" in html
    post = client_a.post(sent, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert post.status_code == 403
    assert not User.objects.filter(username="nadia.lefevre@example.fr").exists()
    assert Invitation.objects.get().accepted_at is None


def test_another_representative_cannot_accept_an_invitation_for_an_existing_account(
    client_a, establishment_b, representative_a, django_capture_on_commit_callbacks, mailoutbox
):
    make_representative(establishment_b, email="cse.beta@example.fr")
    invite(
        client_a, django_capture_on_commit_callbacks, **{"invitation-email": "cse.beta@example.fr"}
    )
    link = path_of(link_in(mailoutbox[-1]))
    client = Client()
    client.force_login(representative_a)
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(
        user__username="cse.beta@example.fr", establishment__siret="73282932000074"
    ).exists()


def test_a_withdrawn_representative_invited_again_gets_the_same_membership_back(
    client_a, representative_a, django_capture_on_commit_callbacks, mailoutbox
):
    membership = representative_a.memberships.get()
    client_a.post(reverse("profiles:withdraw_representative", args=[membership.pk]))
    invite(
        client_a,
        django_capture_on_commit_callbacks,
        **{"invitation-email": "cse.alpha@example.fr", "invitation-mandate": "DP"},
    )
    client = Client()
    client.force_login(representative_a)
    assert client.post(path_of(link_in(mailoutbox[-1]))).status_code == 302
    assert representative_a.memberships.count() == 1
    membership.refresh_from_db()
    assert membership.is_active and membership.mandate == Membership.Mandate.DP


def test_the_invitees_name_loses_invisible_characters(
    client_a, establishment_a, django_capture_on_commit_callbacks
):
    from profiles.models import Invitation

    invite(
        client_a,
        django_capture_on_commit_callbacks,
        **{"invitation-last_name": "Lef\u202eèvre\x07", "invitation-first_name": " Na\u200bdia "},
    )
    invitation = Invitation.objects.get(establishment=establishment_a)
    assert (invitation.first_name, invitation.last_name) == ("Nadia", "Lefèvre")
