"""Choosing a password: each rule is ticked while it is typed; the server's check stays the authority.

The rules ticked are the validators' own (accounts.validators): length, upper
case, lower case, digit, special character, with the texts of their messages.
"""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.forms import live_password_rules
from accounts.services import activation_url
from accounts.validators import CharacterClassesValidator, MinimumLengthValidator
from conftest import PASSWORD, log_in, screenshot

LABELS = [
    "Au moins 8 caractères",
    "Au moins une majuscule",
    "Au moins une minuscule",
    "Au moins un chiffre",
    "Au moins un caractère spécial (*, -, !, ...)",
]

# Typed one after the other: each line says which rules the server finds met.
CANDIDATES = [
    "a",
    "abcdefgh",
    "Abcdefgh",
    "Abcdefg1",
    "Abcdefg1!",
    "éèàç",  # accented lower case letters
    "ÉLÉPHANT",  # accented upper case
    "😀😀😀😀aaa",  # seven characters for Python, eleven UTF-16 units for a browser
    "😀😀😀😀aaaa",
    "mot de passe",  # a space is a special character
]


def read(rules):
    """What each line says, spaces as a screen reader would read them."""
    return [" ".join(text.split()) for text in rules.all_text_contents()]


def server_verdicts(password):
    """Which of the live rules the server's validators find met, in the list's order."""
    verdicts = []
    try:
        MinimumLengthValidator().validate(password)
        verdicts.append(True)
    except ValidationError:
        verdicts.append(False)
    codes = set()
    try:
        CharacterClassesValidator().validate(password)
    except ValidationError as error:
        codes = {e.code for e in error.error_list}
    verdicts += [code not in codes for _, _, code in CharacterClassesValidator.CLASSES]
    return verdicts


def test_the_live_rules_are_the_validators_with_their_messages_as_labels():
    assert [rule["label"] for rule in live_password_rules()] == LABELS
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("a")
    for label in LABELS[:2]:
        assert any(label.lower() in message for message in refused.value.messages), label


@pytest.mark.parametrize(
    "page_of",
    ["activation", "reset", "change", "invitation"],
)
def test_every_page_choosing_a_password_has_the_checklist_and_its_script(
    client, establishment_a, page_of, django_capture_on_commit_callbacks
):
    html = choosing_page_html(client, establishment_a, page_of, django_capture_on_commit_callbacks)
    assert 'data-password-rules="id_password1" aria-live="polite"' in html
    assert 'id="id_password1"' in html
    assert '<script src="/static/js/password_rules.js" defer></script>' in html
    for label in LABELS:
        assert f">{label}</li>" in html.replace("&#x27;", "'"), label


def choosing_page_html(client, establishment_a, page_of, capture):
    from accounts.models import User
    from profiles.services import invite_representative

    if page_of == "activation":
        user = User.objects.create_user(username="40483304800022", email="x@example.fr")
        response = client.get(activation_url(user).removeprefix("http://localhost:8000"))
        return client.get(response["Location"]).content.decode()
    if page_of == "reset":
        with capture(execute=True):
            client.post(reverse("account_reset_password"), {"email": establishment_a.siret})
        from django.core import mail

        link = re.search(r"http://localhost:8000(\S+/reset/key/\S+)", mail.outbox[-1].body)
        response = client.get(link.group(1))
        return client.get(response["Location"]).content.decode()
    if page_of == "change":
        client.force_login(establishment_a.account)
        return client.get(reverse("account_change_password")).content.decode()
    with capture(execute=True):
        invitation = invite_representative(
            establishment=establishment_a,
            by=establishment_a.account,
            first_name="Rémi",
            last_name="Moreau",
            email="cse@example.fr",
            mandate="CSE",
        )
    return client.get(
        reverse("profiles:accept_invitation", args=[invitation.token])
    ).content.decode()


@pytest.mark.browser
def test_rules_are_ticked_while_typing_exactly_as_the_server_checks(page, live_server, db):
    from accounts.models import User

    user = User.objects.create_user(username="40483304800022", email="x@example.fr")
    page.goto(activation_url(user))  # SITE_URL is the live server
    rules = page.locator("[data-password-rules] li")
    assert read(rules) == [f"{label} ✗ : critère non respecté" for label in LABELS]
    screenshot(page, "password-rules-untouched")
    field = page.get_by_label("Mot de passe", exact=True)
    for password in CANDIDATES:
        field.fill(password)
        shown = [item.get_attribute("data-met") == "true" for item in rules.all()]
        assert shown == server_verdicts(password), password
    field.fill("")
    field.press_sequentially("Abc1!xyz")
    assert read(rules) == [f"{label} ✓ : critère respecté" for label in LABELS]
    assert page.locator("[data-password-rules]").get_attribute("aria-live") == "polite"
    screenshot(page, "password-rules-met")
    # A hint only: the server still refuses what the browser ticks (the identifier inside).
    field.fill("Id-40483304800022")
    assert read(rules) == [f"{label} ✓ : critère respecté" for label in LABELS]
    page.get_by_label("Confirmer le mot de passe").fill("Id-40483304800022")
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()
    assert page.get_by_text("ni votre identifiant (SIRET)", exact=False).first.is_visible()
    user.refresh_from_db()
    assert user.activated_at is None


@pytest.mark.browser
def test_change_password_page_ticks_the_rules(page, live_server, establishment_a):
    log_in(page, live_server, establishment_a.account)
    page.goto(reverse("account_change_password"))
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe").fill("abcdefgh")
    marks = page.locator("[data-password-rules] li .tms-rule-mark").all_inner_texts()
    assert marks == ["✓", "✗", "✓", "✗", "✗"]
