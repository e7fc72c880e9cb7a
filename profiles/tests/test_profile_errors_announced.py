"""'Mon profil': every error is written next to its field and announced, the yes/no questions' too."""

import re
from html import unescape

import pytest
from django.urls import reverse

from conftest import log_in, screenshot

YES_NO = ("is_space_manager", "belongs_to_group", "has_staff_representative")


def test_each_yes_no_choice_is_described_by_its_error(client_a):
    response = client_a.post(reverse("profiles:profile"), {"head_last_name": "Martin"})
    html = unescape(response.content.decode())
    for name in YES_NO:
        error = f'<div id="id_{name}_error" class="invalid-feedback d-block">'
        assert error in html, name
        for index in (0, 1):
            assert (
                f'id="id_{name}_{index}" required aria-invalid="true" '
                f'aria-describedby="id_{name}_error"' in html
            ), (name, index)


@pytest.mark.browser
def test_yes_no_errors_are_shown_and_read_with_their_choices(page, live_server, establishment_a):
    from playwright.sync_api import expect

    for name in ("is_space_manager", "belongs_to_group", "has_staff_representative"):
        setattr(establishment_a, name, None)
    establishment_a.head_phone = ""
    establishment_a.save()
    log_in(page, live_server, establishment_a.account)
    page.goto(reverse("profiles:profile"))
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    for question in (
        "Êtes-vous la personne en charge",
        "L'établissement appartient-il à un groupe",
        "Avez-vous un représentant du personnel",
    ):
        group = page.get_by_role("group", name=question)
        expect(group.get_by_text("Répondez par oui ou par non.")).to_be_visible()
        for choice in ("Oui", "Non"):
            radio = group.get_by_role("radio", name=choice)
            expect(radio).to_have_attribute("aria-invalid", "true")
            expect(radio).to_have_accessible_description("Répondez par oui ou par non.")
    phone = page.get_by_label("Téléphone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("Saisissez le numéro de téléphone"))
    screenshot(page, "profile-yes-no-errors")
