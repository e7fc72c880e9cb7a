import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent, User
from conftest import PASSWORD, make_establishment

RESET_URL = reverse("account_reset_password")
NEW_PASSWORD = "Nouveau-Passe-2026!"


def ask_reset(client, value, ip="10.0.0.1", capture=None):
    return client.post(RESET_URL, {"email": value}, REMOTE_ADDR=ip)


def links_in(message):
    return re.findall(
        r"http://testserver\S+|https?://\S+/compte/password/reset/key/\S+", message.body
    )


def follow_reset_link(client, url, password=NEW_PASSWORD):
    path = url.replace("http://localhost:8000", "")
    response = client.get(path)
    assert response.status_code == 302, "a valid link redirects to the form (key out of the URL)"
    form_url = response["Location"]
    return client.post(form_url, {"password1": password, "password2": password})


def test_reset_by_identifier_sends_the_seed_email(
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_reset(client, "732 829 320 00074")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (
        message.subject
        == f"Modification des informations de connexion pour {establishment_a.siret} sur TMS Pros"
    )
    assert message.to == [establishment_a.account.email]
    assert "Il expirera dans un jour" in message.body
    assert "http://localhost:8000/compte/password/reset/key/" in message.body


def test_answer_is_the_same_for_known_and_unknown_accounts(
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_reset(client, establishment_a.siret)
        unknown = ask_reset(Client(), "55210055400013")
        unknown_email = ask_reset(Client(), "personne@example.fr")
    assert known.status_code == unknown.status_code == unknown_email.status_code == 302
    assert known["Location"] == unknown["Location"] == unknown_email["Location"]
    assert len(mail.outbox) == 1


def test_links_use_site_url_not_the_host_header(
    client, establishment_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tmspros.example.fr"
    settings.ALLOWED_HOSTS = ["*"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": establishment_a.siret}, HTTP_HOST="evil.example.com")
    assert "https://tmspros.example.fr/compte/password/reset/key/" in mail.outbox[0].body
    assert "evil.example.com" not in mail.outbox[0].body


def reset_url_from(message):
    return re.search(r"(http://localhost:8000/compte/password/reset/key/\S+)", message.body).group(
        1
    )


def test_reset_link_works_once(client, establishment_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, establishment_a.siret)
    url = reset_url_from(mail.outbox[0])
    response = follow_reset_link(client, url)
    assert response.status_code == 302
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.check_password(NEW_PASSWORD)
    second = Client().get(url.replace("http://localhost:8000", ""))
    assert "Lien non valable" in second.content.decode()


def test_reset_link_expires_after_24_hours(  # margins: time-machine shifts naive local time by the UTC offset
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, establishment_a.siret)
    url = reset_url_from(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=26)):
        response = Client().get(url.replace("http://localhost:8000", ""))
    assert "Lien non valable" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=22)):
        assert Client().get(url.replace("http://localhost:8000", "")).status_code == 302


def test_shared_email_lists_every_identifier_in_one_message(db, django_capture_on_commit_callbacks):
    first = make_establishment(siret="73282932000074", name="Alpha Nord", caisse_code="CRAMIF")
    second = make_establishment(siret="55210055400013", name="Alpha Sud", caisse_code="CARSAT_HDF")
    for establishment in (first, second):
        establishment.account.email = "hse@groupe.example.fr"
        establishment.account.save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET_URL, {"email": "HSE@groupe.example.fr"})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "73282932000074" in body and "55210055400013" in body
    assert len(re.findall(r"/compte/password/reset/key/", body)) == 2


def test_reset_requests_are_rate_limited_per_identifier(
    establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(6):
            ask_reset(Client(), establishment_a.siret, ip=f"10.0.1.{attempt}")
    assert len(mail.outbox) == 3


def test_reset_requests_are_rate_limited_per_address(db, django_capture_on_commit_callbacks):
    sirets = ["73282932000074", "55210055400013", "35600000000006", "40483304800022"]
    for index, siret in enumerate(sirets):
        establishment = make_establishment(siret=siret, name=f"Site {index}", caisse_code="CRAMIF")
        establishment.account.email = "hse@groupe.example.fr"
        establishment.account.save()
    with django_capture_on_commit_callbacks(execute=True):
        for siret in sirets:
            Client().post(RESET_URL, {"email": siret})
    assert len(mail.outbox) == 3


def test_shared_address_lists_every_identifier_however_many(db, django_capture_on_commit_callbacks):
    sirets = [
        "73282932000074",
        "55210055400013",
        "35600000000006",
        "40483304800022",
        "44306184100047",
    ]
    for index, siret in enumerate(sirets):
        establishment = make_establishment(siret=siret, name=f"Site {index}", caisse_code="CRAMIF")
        establishment.account.email = "hse@groupe.example.fr"
        establishment.account.save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET_URL, {"email": "hse@groupe.example.fr"})
    assert len(mail.outbox) == 1
    assert all(siret in mail.outbox[0].body for siret in sirets)


def test_reset_while_locked_works_and_lifts_the_lock(
    client, establishment_a, django_capture_on_commit_callbacks
):
    for attempt in range(3):
        client.post(
            reverse("account_login"),
            {"login": establishment_a.siret, "password": f"Faux-{attempt}!aaa"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, establishment_a.siret)
    follow_reset_link(Client(), reset_url_from(mail.outbox[0]))
    response = Client().post(
        reverse("account_login"), {"login": establishment_a.siret, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_reset_ends_other_sessions_and_tells_the_owner(
    establishment_a, django_capture_on_commit_callbacks
):
    other_browser = Client()
    other_browser.force_login(establishment_a.account)
    assert other_browser.get(reverse("account")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(Client(), establishment_a.siret)
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        follow_reset_link(browser, reset_url_from(mail.outbox[0]))
    assert browser.get(reverse("account")).status_code == 200, "the resetting browser is logged in"
    assert other_browser.get(reverse("account")).status_code == 302, "the other session ended"
    assert any("réinitialisé" in m.subject for m in mail.outbox[1:])
    assert establishment_a.account.events.filter(kind=AccountEvent.Kind.PASSWORD_RESET).exists()


def test_reset_form_names_each_failing_rule(
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, establishment_a.siret)
    response = follow_reset_link(client, reset_url_from(mail.outbox[0]), password="abc")
    page = response.content.decode()
    assert "au moins 8 caractères" in page
    assert "au moins une majuscule" in page
    assert "au moins un chiffre" in page
    assert "caractère spécial" in page


def test_reset_refuses_the_current_password(
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, establishment_a.siret)
    response = follow_reset_link(client, reset_url_from(mail.outbox[0]), password=PASSWORD)
    assert "différent de l&#x27;ancien" in response.content.decode()
    assert User.objects.get(pk=establishment_a.account.pk).check_password(PASSWORD)
