"""The admin is the staff's: an establishment's or a representative's account is sent home."""

import pytest
from django.urls import reverse

ADMIN_URLS = ["/admin/", "/admin/profiles/establishment/", "/admin/accounts/user/", "/admin/login/"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_an_establishment_account_visiting_the_admin_is_sent_home(client_a, url):
    response = client_a.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client_a.get(response["Location"]).status_code == 200  # no loop


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_a_representative_visiting_the_admin_is_sent_home(client, representative_a, url):
    client.force_login(representative_a)
    response = client.get(url)
    assert response["Location"] == reverse("home")


def test_an_anonymous_visitor_of_the_admin_goes_to_the_portal_login(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
