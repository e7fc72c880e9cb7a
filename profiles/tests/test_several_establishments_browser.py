"""In Chromium: the header of a person with several establishments fits, and names the switch."""

import pytest

from conftest import log_in, screenshot
from profiles.models import Membership


@pytest.mark.browser
def test_the_header_fits_and_offers_changer_d_etablissement(
    page, live_server, establishment_a, establishment_b, representative_a
):
    Membership.objects.create(
        establishment=establishment_b, user=representative_a, role=Membership.Role.REPRESENTATIVE
    )
    log_in(page, live_server, representative_a)
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/etablissement/")
        assert page.evaluate("document.documentElement.scrollWidth") == width
        assert page.get_by_role("link", name="Changer d'établissement").is_visible()
    screenshot(page, "several-establishments-choose")
    page.get_by_role("button", name="CHOISIR Boulangerie Bêta").click()
    page.get_by_text("Vous agissez maintenant pour Boulangerie Bêta.").wait_for()
