"""The "Statistiques" page and its figures (parcours.stats)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from parcours.models import Step, StepProgress
from parcours.stats import Figure, caisse_statistics, duration_label, statistics_by_caisse
from profiles.models import Caisse, Establishment, Membership

from .statistics_data import DAY, NOW, populate

URL = "/admin/statistiques/"


@pytest.fixture
def data_set(parcours, establishment_a, establishment_b):
    with time_machine.travel(NOW, tick=False):
        yield populate(establishment_a, establishment_b)


def staff_client(user):
    """A logged-in staff member who has set up their second factor."""
    from accounts.services import set_totp_secret

    set_totp_secret(user, "JBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(user)
    return client


def test_percentages_are_rounded_half_up_and_undefined_without_establishments():
    assert Figure(2, 3).percent_label == "67 %"
    assert Figure(1, 8).percent_label == "13 %"
    assert Figure(0, 4).percent_label == "0 %"
    assert Figure(0, 0).percent_label == "–"


def test_durations_are_written_in_their_largest_whole_unit():
    assert duration_label(datetime.timedelta(days=3, hours=23)) == "3 j"
    assert duration_label(datetime.timedelta(hours=5, minutes=59)) == "5 h"
    assert duration_label(datetime.timedelta(minutes=12)) == "12 min"
    assert duration_label(None) == "–"


def test_statistics_of_a_caisse_on_a_known_data_set(data_set, caisse_a):
    figures = caisse_statistics(Establishment.objects.filter(caisse=caisse_a), caisse=caisse_a)

    assert figures.imported == 4
    assert (figures.activated.count, figures.activated.percent_label) == (2, "50 %")
    # Dépôt Delta has no profile, Entrepôt Epsilon no phone.
    assert (figures.profile_complete.count, figures.profile_complete.percent_label) == (2, "50 %")
    by_step = {
        step.number: (
            step.started.count,
            step.started.percent_label,
            step.complete.count,
            step.complete.percent_label,
            step.validated.count,
            step.validated.percent_label,
            step.waiting,
        )
        for step in figures.steps
    }
    assert by_step == {
        1: (4, "100 %", 3, "75 %", 2, "50 %", 1),
        2: (2, "50 %", 2, "50 %", 0, "0 %", 2),  # a "to complete" row is no start
        3: (2, "50 %", 0, "0 %", 0, "0 %", 0),  # a step sent back was started
        4: (1, "25 %", 1, "25 %", 1, "25 %", 0),  # validated counts as complete
    }
    # Step 1: validated 2 and 4 days after completion; step 4 completed after
    # its validation has no delay.
    assert figures.steps[0].median_validation_delay == 3 * DAY
    assert figures.steps[3].median_validation_delay is None
    assert figures.median_validation_delay == 3 * DAY
    assert figures.median_validation_delay_label == "3 j"


def test_waiting_steps_are_listed_oldest_first_with_their_wait(data_set, caisse_a):
    figures = caisse_statistics(Establishment.objects.filter(caisse=caisse_a), now=NOW)

    assert figures.waiting_count == 3
    assert [(w.establishment_name, w.step_number, w.waited_label) for w in figures.waiting] == [
        ("Dépôt Delta", 1, "30 j"),
        ("Ateliers Alpha", 2, "5 j"),
        ("Cabinet Gamma", 2, "3 h"),
    ]
    assert (
        caisse_statistics(Establishment.objects.all(), waiting_limit=2, now=NOW).waiting_count == 4
    )
    assert [
        w.establishment_name
        for w in caisse_statistics(Establishment.objects.all(), waiting_limit=2, now=NOW).waiting
    ] == ["Boulangerie Bêta", "Dépôt Delta"]


def test_statistics_by_caisse_give_one_row_per_caisse_and_the_national_total(
    data_set, caisse_a, caisse_b
):
    rows, total = statistics_by_caisse(Establishment.objects.all())

    assert [(row.caisse, row.imported, row.waiting_count) for row in rows] == [
        (caisse_b, 1, 1),  # ordered by name: Carsat before Cramif
        (caisse_a, 4, 3),
    ]
    assert rows[0].steps[0].complete.percent_label == "100 %"
    assert rows[1].median_validation_delay == 3 * DAY
    assert (total.imported, total.activated.count, total.activated.percent_label) == (5, 3, "60 %")
    assert (total.steps[0].started.count, total.steps[0].complete.count) == (5, 4)
    assert total.waiting_count == 4
    assert total.median_validation_delay == 3 * DAY

    every_caisse, _ = statistics_by_caisse(
        Establishment.objects.all(), caisses=Caisse.objects.order_by("name")
    )
    assert len(every_caisse) == 21
    assert sum(row.imported == 0 for row in every_caisse) == 19


def _populate_many(caisse, count, batch):
    users = User.objects.bulk_create(
        User(username=f"9{batch}{caisse.pk:03d}{index:09d}", password="!") for index in range(count)
    )
    establishments = Establishment.objects.bulk_create(
        Establishment(siret=user.username, name=f"Établissement {index}", caisse=caisse)
        for index, user in enumerate(users)
    )
    Membership.objects.bulk_create(
        Membership(establishment=establishment, user=user, role=Membership.Role.ESTABLISHMENT)
        for establishment, user in zip(establishments, users, strict=True)
    )
    steps = list(Step.objects.all())
    statuses = list(StepProgress.Status.values)
    StepProgress.objects.bulk_create(
        StepProgress(
            establishment=establishment,
            step=step,
            status=statuses[(index + step.number) % len(statuses)],
            completed_at=NOW - DAY * (index % 7 + 2),
            validated_at=NOW - DAY if index % 3 == 0 else None,
        )
        for index, establishment in enumerate(establishments)
        for step in steps
    )


def _queries(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_establishments(
    parcours, caisse_a, caisse_b, national_team, django_assert_max_num_queries
):
    client = staff_client(national_team)
    client.get(URL)  # the session's first refresh of its idle expiry is not the page's
    counts = []
    for size in (10, 300):
        Establishment.objects.all().delete()
        _populate_many(caisse_a, size // 2, batch=len(counts))
        _populate_many(caisse_b, size - size // 2, batch=len(counts))
        with django_assert_max_num_queries(5):
            figures = caisse_statistics(Establishment.objects.all())
        assert figures.imported == size
        with django_assert_max_num_queries(5):
            statistics_by_caisse(Establishment.objects.all())
        counts.append(
            (
                _queries(lambda: caisse_statistics(Establishment.objects.all())),
                _queries(lambda: statistics_by_caisse(Establishment.objects.all())),
                _queries(lambda: client.get(URL)),
                _queries(lambda: client.get(URL, {"caisse": "CRAMIF"})),
            )
        )
    assert counts[0] == counts[1]


def test_a_preventeur_sees_the_figures_and_waiting_steps_of_their_caisse_only(
    data_set, preventeur_a, preventeur_b
):
    html = staff_client(preventeur_a).get(URL).content.decode()
    assert "Cramif" in html
    assert "4 établissements importés" in html
    assert "Dépôt Delta" in html and "Ateliers Alpha" in html
    assert "Boulangerie Bêta" not in html
    assert "Hauts-de-France" not in html
    assert '<select name="caisse"' not in html  # no list of the 21 caisses

    # Asking for another caisse changes nothing.
    forged = staff_client(preventeur_a).get(URL, {"caisse": "CARSAT_HDF"}).content.decode()
    assert "Boulangerie Bêta" not in forged and "4 établissements importés" in forged

    html = staff_client(preventeur_b).get(URL).content.decode()
    assert "Boulangerie Bêta" in html and "1 établissement importé" in html
    assert "Ateliers Alpha" not in html and "Dépôt Delta" not in html


def test_the_page_shows_the_counts_percentages_median_and_links_to_waiting_establishments(
    data_set, preventeur_a
):
    with time_machine.travel(NOW, tick=False):
        html = staff_client(preventeur_a).get(URL).content.decode()
    assert "50 % ont activé leur compte" in html
    assert "100 % ont commencé l'étape 1, 50 % l'étape 2" not in html  # each step named
    assert "100 % ont commencé l'étape 1, 50 % ont commencé l'étape 2" in html
    assert "<strong>3 j</strong>" in html
    delta = data_set["Dépôt Delta"]
    link = reverse("admin:profiles_establishment_follow", args=[delta.pk])
    assert f'<a href="{link}#etape-' in html and ">Dépôt Delta</a>" in html
    assert html.index("Dépôt Delta") < html.index("Ateliers Alpha") < html.index("Cabinet Gamma")
    assert "30 j" in html and "3 h" in html


def test_the_national_team_chooses_a_caisse_or_sees_them_all(data_set, national_team):
    client = staff_client(national_team)
    html = client.get(URL).content.decode()
    assert '<select name="caisse"' in html and "Toutes" in html
    assert "Total national" in html and "5 établissements importés" in html
    assert "Boulangerie Bêta" in html and "Dépôt Delta" in html
    assert "Par caisse régionale" in html and "?caisse=CARSAT_HDF" in html

    html = client.get(URL, {"caisse": "CARSAT_HDF"}).content.decode()
    assert "1 établissement importé" in html
    assert "Boulangerie Bêta" in html and "Dépôt Delta" not in html
    assert "Par caisse régionale" not in html

    html = client.get(URL, {"caisse": "NOPE"}).content.decode()
    assert "Choisissez une caisse de la liste." in html
    assert "5 établissements importés" in html


def test_the_page_is_for_staff_only_and_linked_from_the_admin_index(
    data_set, client_a, preventeur_a
):
    response = client_a.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")  # an establishment never reaches the admin

    html = staff_client(preventeur_a).get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in html


def test_profile_completeness_counted_in_sql_is_the_model_rule(establishment_a):
    from profiles.models import REQUIRED_PROFILE_FIELDS, profile_complete_q

    complete = Establishment.objects.filter(profile_complete_q())
    assert establishment_a.is_profile_complete and complete.filter(pk=establishment_a.pk).exists()
    for name in REQUIRED_PROFILE_FIELDS:
        saved = getattr(establishment_a, name)
        blank = None if Establishment._meta.get_field(name).null else ""
        Establishment.objects.filter(pk=establishment_a.pk).update(**{name: blank})
        establishment = Establishment.objects.get(pk=establishment_a.pk)
        assert not establishment.is_profile_complete, name
        assert not complete.filter(pk=establishment_a.pk).exists(), name
        Establishment.objects.filter(pk=establishment_a.pk).update(**{name: saved})
