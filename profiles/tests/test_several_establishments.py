"""One login for several establishments: choosing after login, switching, the caisse's grant."""

from html import unescape

from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_establishment
from profiles.middleware import CURRENT_ESTABLISHMENT_KEY
from profiles.models import Membership

HOME = reverse("home")
CHOOSE = reverse("profiles:choose")


def two_establishments(representative, other):
    Membership.objects.create(
        establishment=other, user=representative, role=Membership.Role.REPRESENTATIVE
    )


def test_after_login_a_person_with_several_establishments_chooses_one(
    establishment_a, establishment_b, representative_a
):
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.post(reverse("account_login"), {"login": representative_a.username,
                                           "password": PASSWORD})  # fmt: skip
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == CHOOSE
    html = unescape(client.get(CHOOSE).content.decode())
    assert "Ateliers Alpha" in html and "Boulangerie Bêta" in html
    response = client.post(CHOOSE, {"establishment": establishment_b.pk})
    assert response["Location"] == HOME
    page = client.get(HOME)
    assert page.wsgi_request.establishment == establishment_b
    assert 'href="/etablissement/"' in page.content.decode()  # "Changer d'établissement"


def test_switching_to_an_establishment_without_membership_is_refused(
    establishment_a, establishment_b, representative_a
):
    third = make_establishment(siret="44306184100047", name="Gamma", caisse_code="CRAMIF")
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.force_login(representative_a)
    assert client.post(CHOOSE, {"establishment": third.pk}).status_code == 404
    assert client.post(CHOOSE, {"establishment": "x"}).status_code == 404
    assert CURRENT_ESTABLISHMENT_KEY not in client.session


def test_switching_is_a_post(establishment_a, establishment_b, representative_a):
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.force_login(representative_a)
    client.get(CHOOSE, {"establishment": establishment_b.pk})
    assert CURRENT_ESTABLISHMENT_KEY not in client.session


def test_a_deactivated_membership_is_no_longer_offered(
    establishment_a, establishment_b, representative_a
):
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.force_login(representative_a)
    client.post(CHOOSE, {"establishment": establishment_b.pk})
    Membership.objects.filter(user=representative_a, establishment=establishment_b).update(
        is_active=False
    )
    response = client.get(HOME)
    assert response.status_code == 200  # one membership left: no choice to make
    assert response.wsgi_request.establishment == establishment_a
    assert "Changer d" not in response.content.decode()


def test_one_establishment_needs_no_choice(client_a, establishment_a):
    response = client_a.get(HOME)
    assert response.status_code == 200
    assert "Changer d" not in response.content.decode()


# --- The caisse grants a group's account access to another establishment ---------------


def inline_data(establishment, identifier):
    own = Membership.objects.get(establishment=establishment, user=establishment.account)
    return {
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(own.pk),
        "memberships-0-establishment": str(establishment.pk),
        "memberships-0-is_active": "on",
        "memberships-1-establishment": str(establishment.pk),
        "memberships-1-identifier": identifier,
        "memberships-1-is_active": "on",
        "preventeur": str(establishment.preventeur_id or ""),
    }


def test_a_preventeur_grants_a_group_account_access_to_another_establishment(
    preventeur_a, establishment_a
):
    head = make_establishment(siret="44306184100047", name="Gamma siège", caisse_code="CRAMIF",
                              preventeur=preventeur_a)  # fmt: skip
    client = Client()
    client.force_login(preventeur_a)
    url = reverse("admin:profiles_establishment_change", args=[establishment_a.pk])
    response = client.post(url, inline_data(establishment_a, "443 061 841 00047"))
    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    granted = Membership.objects.get(establishment=establishment_a, user=head.account)
    assert granted.role == Membership.Role.ESTABLISHMENT and granted.updated_by == preventeur_a
    # The head of group now chooses between its two SIRETs.
    client = Client()
    client.force_login(head.account)
    assert client.get(HOME)["Location"] == CHOOSE


def test_an_account_of_another_caisse_cannot_be_granted(preventeur_a, establishment_a,
                                                        establishment_b):  # fmt: skip
    client = Client()
    client.force_login(preventeur_a)
    url = reverse("admin:profiles_establishment_change", args=[establishment_a.pk])
    response = client.post(url, inline_data(establishment_a, establishment_b.siret))
    assert response.status_code == 200
    assert "Aucun compte d&#x27;établissement de votre caisse n&#x27;a cet identifiant." in (
        response.content.decode()
    )
    assert not Membership.objects.filter(user=establishment_b.account,
                                         establishment=establishment_a).exists()  # fmt: skip


def test_any_page_of_the_space_asks_for_the_choice_first_then_returns(
    establishment_a, establishment_b, representative_a
):
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.force_login(representative_a)
    response = client.get(reverse("documents:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{CHOOSE}?next=%2Fpieces-jointes%2F"
    response = client.post(CHOOSE, {"establishment": establishment_b.pk,
                                    "next": "/pieces-jointes/"})  # fmt: skip
    assert response["Location"] == "/pieces-jointes/"
    assert client.get("/pieces-jointes/").wsgi_request.establishment == establishment_b


def test_the_choice_never_sends_elsewhere(establishment_a, establishment_b, representative_a):
    two_establishments(representative_a, establishment_b)
    client = Client()
    client.force_login(representative_a)
    response = client.post(CHOOSE, {"establishment": establishment_b.pk,
                                    "next": "https://evil.example/"})  # fmt: skip
    assert response["Location"] == HOME
