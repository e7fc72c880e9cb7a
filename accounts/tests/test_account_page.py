import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountEvent
from conftest import PASSWORD

NEW_PASSWORD = "Nouveau-Passe-2026!"


def test_account_page_lists_the_last_20_events_with_date_time_and_address(
    client_a, establishment_a
):
    user = establishment_a.account
    for _ in range(25):
        AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.LOGIN, ip_address="192.0.2.1")
    page = client_a.get(reverse("account")).content.decode()
    assert "Mes derniers événements" in page
    assert page.count("192.0.2.1") == 20
    assert re.search(r"\d{2}/\d{2}/\d{4}", page)


def test_account_page_shows_only_its_own_events(client_a, establishment_a, establishment_b):
    AccountEvent.objects.create(
        user=establishment_b.account, kind=AccountEvent.Kind.LOGIN, ip_address="203.0.113.66"
    )
    assert "203.0.113.66" not in client_a.get(reverse("account")).content.decode()


def test_password_change_needs_the_current_password(client_a, establishment_a):
    response = client_a.post(
        reverse("account_change_password"),
        {"oldpassword": "Pas-le-bon-2026!", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.check_password(PASSWORD)


def test_password_change_ends_other_sessions_and_tells_the_owner(
    establishment_a, django_capture_on_commit_callbacks
):
    browser, other = Client(), Client()
    for each in (browser, other):
        each.post(reverse("account_login"), {"login": establishment_a.siret, "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert browser.get(reverse("account")).status_code == 200
    assert other.get(reverse("account")).status_code == 302
    assert [m.subject for m in mail.outbox] == ["Votre mot de passe TMS Pros a été modifié"]
    assert mail.outbox[0].to == [establishment_a.account.email]
    assert establishment_a.account.events.filter(kind=AccountEvent.Kind.PASSWORD_CHANGED).exists()


def test_email_change_applies_only_after_confirmation(
    client_a, establishment_a, django_capture_on_commit_callbacks
):
    old = establishment_a.account.email
    client_a.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # asked first
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("account_email"), {"action_add": "", "email": "nouvelle@alpha.example.fr"}
        )
    assert response.status_code == 302
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.email == old, "nothing changes before the confirmation"
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["nouvelle@alpha.example.fr"]
    link = re.search(r"http://localhost:8000(/compte/confirm-email/\S+)", confirmation.body).group(
        1
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(link)
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.email == "nouvelle@alpha.example.fr"
    assert not EmailAddress.objects.filter(user=establishment_a.account, email=old).exists()
    told = [m for m in mail.outbox if m.to == [old]]
    assert told and "nouvelle@alpha.example.fr" in told[0].body, "the old address is told"
    kinds = set(establishment_a.account.events.values_list("kind", flat=True))
    assert {AccountEvent.Kind.EMAIL_CHANGE_REQUESTED, AccountEvent.Kind.EMAIL_CHANGED} <= kinds


def test_password_change_uses_unique_labels_and_returns_to_my_account(client_a, establishment_a):
    page = client_a.get(reverse("account_change_password")).content.decode()
    labels = re.findall(r"<label[^>]*>\s*([^<]+?)\s*</label>", page)
    assert labels == ["Mot de passe actuel", "Nouveau mot de passe", "Confirmer le mot de passe"]
    response = client_a.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("account")


def test_email_page_shows_the_current_address_as_current_not_as_a_pending_change(
    client_a, establishment_a, django_capture_on_commit_callbacks
):
    user = establishment_a.account
    old = user.email
    # allauth records the account's address unverified along the way (a password reset...).
    EmailAddress.objects.create(user=user, email=old, verified=False, primary=False)
    page = client_a.get(reverse("account_email")).content.decode()
    assert "Changement en attente" not in page
    assert f"Adresse actuelle : <strong>{old}</strong>" in page
    assert "Nouvelle adresse e-mail" in page
    client_a.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # asked first
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(
            reverse("account_email"), {"action_add": "", "email": "neuve@alpha.example.fr"}
        )
    page = client_a.get(reverse("account_email")).content.decode()
    assert "Changement en attente vers <strong>neuve@alpha.example.fr</strong>" in page
    link = re.search(r"http://localhost:8000(/compte/confirm-email/\S+)", mail.outbox[-1].body)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(link.group(1))
    user.refresh_from_db()
    assert user.email == "neuve@alpha.example.fr"
    assert [m for m in mail.outbox if m.to == [old]], "the old address is told"


def test_allauth_pages_reached_by_address_use_the_portal_layout(client_a):
    page = client_a.get(reverse("account_email_verification_sent")).content.decode()
    assert "Consultez vos e-mails" in page and "tms-header" in page
    assert "Création de compte" not in page
