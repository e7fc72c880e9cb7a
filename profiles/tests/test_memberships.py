"""Who acts for an establishment: memberships, set once per request, one visibility rule."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD, make_establishment, make_representative
from profiles.middleware import CURRENT_ESTABLISHMENT_KEY
from profiles.models import Establishment, Membership

HOME = reverse("home")
STEP1 = reverse("parcours:step", args=[1])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_establishments_account_acts_for_it_through_its_membership(establishment_a):
    membership = Membership.objects.get(establishment=establishment_a)
    assert membership.role == Membership.Role.ESTABLISHMENT and membership.is_active
    assert membership.user == establishment_a.account
    assert establishment_a.account.username == establishment_a.siret
    response = logged_in(establishment_a.account).get(HOME)
    assert response.wsgi_request.establishment == establishment_a
    assert response.wsgi_request.membership == membership


def test_staff_act_for_no_establishment(preventeur_a, establishment_a):
    response = logged_in(preventeur_a).get(HOME)
    assert response.wsgi_request.establishment is None
    assert response.wsgi_request.membership is None


def test_a_deactivated_membership_gives_access_to_nothing(establishment_a):
    Membership.objects.filter(establishment=establishment_a).update(is_active=False)
    client = logged_in(establishment_a.account)
    assert client.get(reverse("documents:index")).status_code == 404
    assert client.get(reverse("parcours:index")).status_code == 404
    assert client.get(reverse("profiles:profile")).status_code == 302  # sent home


def test_a_representative_reads_the_steps_but_does_not_answer(
    establishment_a, representative_a
):
    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    client = logged_in(representative_a)
    response = client.get(STEP1)
    assert response.status_code == 200
    assert response.wsgi_request.establishment == establishment_a
    assert client.post(reverse("documents:delete"), {"delete": ["1"]}).status_code == 403


def test_a_person_with_several_memberships_acts_for_the_one_chosen(
    establishment_a, establishment_b, representative_a
):
    Membership.objects.create(
        establishment=establishment_b, user=representative_a, role=Membership.Role.REPRESENTATIVE
    )
    client = logged_in(representative_a)
    # Without a choice: the first by name ("Ateliers Alpha").
    assert client.get(HOME).wsgi_request.establishment == establishment_a
    session = client.session
    session[CURRENT_ESTABLISHMENT_KEY] = establishment_b.pk
    session.save()
    assert client.get(HOME).wsgi_request.establishment == establishment_b


def test_a_choice_in_the_session_without_membership_is_ignored(
    establishment_a, establishment_b
):
    client = logged_in(establishment_a.account)
    session = client.session
    session[CURRENT_ESTABLISHMENT_KEY] = establishment_b.pk
    session.save()
    assert client.get(HOME).wsgi_request.establishment == establishment_a


def test_the_current_establishment_costs_one_query_per_request(
    client_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client_a.get(reverse("legal_notice"))
    assert sum('"profiles_membership"' in q["sql"] for q in queries.captured_queries) == 1


def test_the_account_can_still_log_in_with_its_password(client, establishment_a):
    response = client.post(
        reverse("account_login"), {"login": establishment_a.siret, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(HOME).wsgi_request.establishment == establishment_a


# --- The one visibility rule -----------------------------------------------------------


@pytest.fixture
def cast(establishment_a, establishment_b, preventeur_a, preventeur_b, representative_a,
         national_team):  # fmt: skip
    superuser = User.objects.create_superuser("root@example.fr", "root@example.fr", PASSWORD)
    stranger = User.objects.create_user("nobody@example.fr", password=PASSWORD,
                                        kind=User.Kind.REPRESENTATIVE)  # fmt: skip
    return {
        "establishment_a": establishment_a.account,
        "establishment_b": establishment_b.account,
        "preventeur_a": preventeur_a,
        "preventeur_b": preventeur_b,
        "representative_a": representative_a,
        "national_team": national_team,
        "superuser": superuser,
        "representative_without_membership": stranger,
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("establishment_a", {"Ateliers Alpha"}),
        ("establishment_b", {"Boulangerie Bêta"}),
        ("preventeur_a", {"Ateliers Alpha"}),
        ("preventeur_b", {"Boulangerie Bêta"}),
        ("representative_a", {"Ateliers Alpha"}),
        ("national_team", {"Ateliers Alpha", "Boulangerie Bêta"}),
        ("superuser", {"Ateliers Alpha", "Boulangerie Bêta"}),
        ("representative_without_membership", set()),
    ],
)
def test_who_sees_which_establishment(cast, who, sees):
    visible = Establishment.objects.visible_to(cast[who])
    assert set(visible.values_list("name", flat=True)) == sees


def test_an_inactive_account_or_membership_sees_nothing(cast, establishment_a):
    Membership.objects.filter(user=cast["representative_a"]).update(is_active=False)
    assert not Establishment.objects.visible_to(cast["representative_a"]).exists()
    cast["preventeur_a"].is_active = False
    assert not Establishment.objects.visible_to(cast["preventeur_a"]).exists()


def test_a_preventeur_without_caisse_sees_nothing(db):
    # The database forbids it (a check constraint); the rule holds without it.
    unsaved = User(username="x@example.fr", kind=User.Kind.PREVENTEUR, is_active=True)
    assert not Establishment.objects.visible_to(unsaved).exists()


def test_a_representative_of_two_establishments_sees_both(establishment_a, establishment_b):
    person = make_representative(establishment_a, email="hse@groupe.example.fr")
    Membership.objects.create(
        establishment=establishment_b, user=person, role=Membership.Role.ESTABLISHMENT
    )
    assert Establishment.objects.visible_to(person).count() == 2


def test_memberships_of_an_establishment_are_kept_when_deactivated(establishment_a):
    third = make_establishment(siret="44306184100047", name="Gamma", caisse_code="CRAMIF")
    membership = Membership.objects.get(establishment=third)
    membership.is_active = False
    membership.save()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
