import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent, LoginLock
from conftest import PASSWORD

LOGIN_URL = reverse("account_login")
LOCKED = "Votre compte est bloqué. Veuillez réessayer dans"
INVALID = "Identifiant ou mot de passe incorrect."


def login(client, identifier, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"login": identifier, "password": password}, REMOTE_ADDR=ip)


def test_login_page_shows_the_seed_texts(client, db):
    page = client.get(LOGIN_URL).content.decode()
    for text in [
        "Bienvenue sur le nouveau site TMS Pros",
        "Vos identifiants vous ont été envoyés par email",
        "J'ACCÈDE À MON COMPTE TMS PROS",
        "Identifiant",
        "Mot de passe",
        "ME CONNECTER",
        "Mot de passe oublié ?",
    ]:
        assert text in page, text
    # The link's own text is exactly the seed's: the "> " mark stays outside it.
    assert '">Mot de passe oublié ?</a>' in page


def test_siret_typed_with_spaces_logs_in(client, establishment_a):
    response = login(client, "732\u00a0829 320 00074", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("account")).wsgi_request.user == establishment_a.account


def test_login_creates_a_new_session_id(client, establishment_a):
    client.get(LOGIN_URL)
    client.session.save()
    before = client.session.session_key
    login(client, establishment_a.siret, PASSWORD)
    assert client.session.session_key != before


def test_unknown_identifier_and_wrong_password_get_the_same_answer(client, establishment_a):
    unknown = login(client, "55210055400013", "Faux-mot2passe!")
    wrong = login(client, establishment_a.siret, "Faux-mot2passe!")
    assert unknown.status_code == wrong.status_code == 200
    assert INVALID in unknown.content.decode()
    assert INVALID in wrong.content.decode()

    def comparable(response, identifier):
        page = response.content.decode().replace(identifier, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert comparable(unknown, "55210055400013") == comparable(wrong, establishment_a.siret)


def test_three_wrong_passwords_from_two_addresses_lock_the_account(establishment_a):
    login(Client(), establishment_a.siret, "Faux-1!aaaa", ip="10.0.0.1")
    login(Client(), establishment_a.siret, "Faux-2!aaaa", ip="10.0.0.2")
    third = login(Client(), establishment_a.siret, "Faux-3!aaaa", ip="10.0.0.1")
    assert "Votre compte est bloqué. Veuillez réessayer dans 15 min." in third.content.decode()


def test_locked_account_refuses_the_right_password_without_saying_it_was_right(
    client, establishment_a
):
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa")
    response = login(client, establishment_a.siret, PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_unknown_identifier_is_locked_like_a_known_one(client, db):
    for attempt in range(3):
        response = login(client, "55210055400013", f"Faux-{attempt}!aaaa")
    assert LOCKED in response.content.decode()


def test_lock_ends_after_its_delay(client, establishment_a):
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert login(client, establishment_a.siret, PASSWORD).status_code == 302


def test_failures_during_the_lock_do_not_extend_it(client, establishment_a):
    start = timezone.now()
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa")
    # An attacker keeps hammering during the whole lock...
    for minute in range(1, 15):
        with time_machine.travel(start + timedelta(minutes=minute)):
            login(Client(), establishment_a.siret, "Attaque-1!aaaa", ip="10.9.9.9")
    # ...the owner gets in as soon as the first lock ends.
    with time_machine.travel(start + timedelta(minutes=15, seconds=30)):
        assert login(client, establishment_a.siret, PASSWORD).status_code == 302


def test_locked_message_counts_down(client, establishment_a):
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa")
    locked_until = LoginLock.objects.get(identifier=establishment_a.siret).locked_until
    with time_machine.travel(locked_until - timedelta(minutes=5)):
        page = login(client, establishment_a.siret, PASSWORD).content.decode()
    assert "Veuillez réessayer dans 5 min." in page


def test_login_failures_and_lock_are_recorded_as_events(client, establishment_a):
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa", ip="192.0.2.7")
    kinds = list(establishment_a.account.events.values_list("kind", flat=True))
    assert kinds.count(AccountEvent.Kind.LOGIN_FAILED) == 3
    assert AccountEvent.Kind.LOCKED in kinds
    assert establishment_a.account.events.filter(ip_address="192.0.2.7").exists()


def test_a_successful_login_is_recorded_with_its_address(client, establishment_a):
    login(client, establishment_a.siret, PASSWORD, ip="198.51.100.4")
    event = establishment_a.account.events.get(kind=AccountEvent.Kind.LOGIN)
    assert event.ip_address == "198.51.100.4"


def test_real_client_address_comes_from_the_trusted_proxy(client, establishment_a, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.post(
        LOGIN_URL,
        {"login": establishment_a.siret, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert establishment_a.account.events.get(kind=AccountEvent.Kind.LOGIN).ip_address == "203.0.113.9"


def test_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert "Pas d'inscription en ligne" in response.content.decode()


def test_admin_login_goes_through_the_protected_login(client, preventeur_a):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_admin_login_is_throttled_by_the_same_lock(client, preventeur_a):
    for attempt in range(3):
        login(client, preventeur_a.username, f"Faux-{attempt}!aaaa")
    response = login(client, preventeur_a.username, PASSWORD)
    assert LOCKED in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_idle_session_expires(client, establishment_a, settings):
    login(client, establishment_a.siret, PASSWORD)
    assert client.get(reverse("account")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_MINUTES * 60


def test_session_has_an_absolute_expiry(client, establishment_a):
    login(client, establishment_a.siret, PASSWORD)
    assert client.get(reverse("account")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        # Active all along (idle expiry never reached), but the session is too old.
        response = client.get(reverse("account"))
    assert response.status_code == 302


def test_attempts_during_the_lock_are_recorded_once_per_lock(client, establishment_a):
    for attempt in range(3):
        login(client, establishment_a.siret, f"Faux-{attempt}!aaaa")
    for _ in range(5):
        login(Client(), establishment_a.siret, PASSWORD, ip="203.0.113.9")
    during = establishment_a.account.events.filter(
        kind=AccountEvent.Kind.LOGIN_FAILED, detail="pendant le blocage"
    )
    # The owner sees that someone kept trying, without the log being flooded.
    assert during.count() == 1
    assert during.get().ip_address == "203.0.113.9"
