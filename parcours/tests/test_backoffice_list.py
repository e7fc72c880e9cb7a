"""The "Établissements" list of the back office: columns, work queues, filters, actions, scope."""

from datetime import timedelta
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginLock, User
from conftest import make_establishment
from parcours.models import Step, StepProgress
from profiles.models import Establishment
from profiles.tests.sirets import make_siret

from .conftest import as_staff

LIST = reverse("admin:profiles_establishment_changelist")


def progress(establishment, number, status, **fields):
    step, _ = Step.objects.get_or_create(
        number=number, defaults={"short_title": f"Étape {number}", "question": "?"}
    )
    return StepProgress.objects.create(establishment=establishment, step=step, status=status,
                                       **fields)  # fmt: skip


def names(response):
    return [row.name for row in response.context["cl"].result_list]


@pytest.fixture
def cramif(establishment_a, preventeur_a):
    """Three establishments of caisse A: one waits since long, one since yesterday, one idle."""
    now = timezone.now()
    old = make_establishment(siret="44306184100047", name="Gamma ancienne", caisse_code="CRAMIF")
    recent = make_establishment(siret="38012986600014", name="Delta récente", caisse_code="CRAMIF")
    progress(old, 1, StepProgress.Status.COMPLETE, completed_at=now - timedelta(days=30))
    progress(recent, 2, StepProgress.Status.COMPLETE, completed_at=now - timedelta(days=1))
    progress(establishment_a, 1, StepProgress.Status.VALIDATED, validated_at=now,
             modified_since_validation=True)  # fmt: skip
    return {"old": old, "recent": recent}


def test_the_list_puts_the_oldest_waiting_step_first(backoffice_a, cramif, establishment_b):
    response = backoffice_a.get(LIST)
    assert names(response) == ["Gamma ancienne", "Delta récente", "Ateliers Alpha"]
    html = unescape(response.content.decode())
    assert "Boulangerie Bêta" not in html  # another caisse's
    assert "Complète depuis le" in html and "Validée — modifiée depuis" in html
    assert "Suivi du parcours" in html


def test_work_queues_are_counted_and_link_to_the_filtered_list(
    backoffice_a, cramif, establishment_a, preventeur_a
):
    html = unescape(backoffice_a.get(LIST).content.decode())
    assert "<strong>2</strong> En attente de validation" in html
    assert "<strong>1</strong> Modifiées depuis la validation" in html
    assert "<strong>1</strong> Mes établissements" in html  # Ateliers Alpha is preventeur_a's
    assert "<strong>3</strong> Jamais connectés" in html
    assert names(backoffice_a.get(LIST, {"attente": "1"})) == ["Gamma ancienne", "Delta récente"]
    assert names(backoffice_a.get(LIST, {"modifiee": "1"})) == ["Ateliers Alpha"]
    assert names(backoffice_a.get(LIST, {"mes": "1"})) == ["Ateliers Alpha"]


def test_filters_by_step_state_profile_and_login(backoffice_a, cramif, establishment_a):
    assert names(backoffice_a.get(LIST, {"etape": "2-complete"})) == ["Delta récente"]
    assert "Ateliers Alpha" not in names(backoffice_a.get(LIST, {"etape": "1-to_complete"}))
    Establishment.objects.filter(pk=cramif["old"].pk).update(head_phone="")
    assert names(backoffice_a.get(LIST, {"profil_incomplet": "1"})) == ["Gamma ancienne"]
    User.objects.filter(pk=establishment_a.account.pk).update(last_login=timezone.now())
    assert "Ateliers Alpha" not in names(backoffice_a.get(LIST, {"jamais_connecte": "1"}))


def test_search_by_siret_with_spaces_or_name(backoffice_a, cramif):
    assert names(backoffice_a.get(LIST, {"q": "443 061 841 00047"})) == ["Gamma ancienne"]
    assert names(backoffice_a.get(LIST, {"q": "delta"})) == ["Delta récente"]


def test_a_preventeur_is_offered_neither_the_caisses_nor_other_caisses_preventeurs(
    backoffice_a, cramif, preventeur_b
):
    html = unescape(backoffice_a.get(LIST).content.decode())
    assert "Carsat Hauts-de-France" not in html
    assert "Léa Petit" not in html  # preventeur_b, of caisse B
    assert "Paul Durand" in html


def test_the_lists_queries_do_not_grow_with_the_establishments(
    backoffice_a, preventeur_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index in range(10):
        make_establishment(siret=make_siret(index), name=f"E{index}", caisse_code="CRAMIF")
    with CaptureQueriesContext(connection) as ten:
        backoffice_a.get(LIST)
    for index in range(10, 60):
        establishment = make_establishment(siret=make_siret(index), name=f"E{index}",
                                           caisse_code="CRAMIF")  # fmt: skip
        progress(establishment, 1, StepProgress.Status.COMPLETE, completed_at=timezone.now())
    with django_assert_max_num_queries(len(ten.captured_queries)):
        backoffice_a.get(LIST)


# --- Actions ----------------------------------------------------------------------------


def act(client, action, *establishments, **extra):
    return client.post(
        LIST,
        {"action": action, ACTION_CHECKBOX_NAME: [e.pk for e in establishments], **extra},
        follow=True,
    )


def test_assign_to_me_and_to_a_preventeur_of_the_same_caisse(
    backoffice_a, preventeur_a, cramif, caisse_a
):
    act(backoffice_a, "assign_to_me", cramif["old"])
    assert Establishment.objects.get(pk=cramif["old"].pk).preventeur == preventeur_a
    colleague = User.objects.create_user("col@cramif.example.fr", kind=User.Kind.PREVENTEUR,
                                         caisse=caisse_a, is_staff=True, first_name="Jeanne",
                                         last_name="Roy")  # fmt: skip
    page = act(backoffice_a, "assign_to_preventeur", cramif["recent"])
    assert "Jeanne Roy" in unescape(page.content.decode())
    act(backoffice_a, "assign_to_preventeur", cramif["recent"], preventeur=str(colleague.pk))
    assert Establishment.objects.get(pk=cramif["recent"].pk).preventeur == colleague


def test_a_preventeur_of_another_caisse_cannot_be_assigned(
    backoffice_a, cramif, preventeur_b
):
    act(backoffice_a, "assign_to_preventeur", cramif["old"], preventeur=str(preventeur_b.pk))
    assert Establishment.objects.get(pk=cramif["old"].pk).preventeur is None


def test_actions_with_forged_ids_of_another_caisse_do_nothing(
    backoffice_a, establishment_b, cramif
):
    act(backoffice_a, "assign_to_me", establishment_b)
    assert Establishment.objects.get(pk=establishment_b.pk).preventeur is None
    LoginLock.objects.create(identifier=establishment_b.siret, failures=3,
                             locked_until=timezone.now() + timedelta(minutes=10))  # fmt: skip
    act(backoffice_a, "unlock_accounts", establishment_b)
    assert LoginLock.objects.filter(identifier=establishment_b.siret).exists()


def test_activation_emails_go_to_accounts_never_activated_and_say_how_many(
    backoffice_a, cramif, establishment_a, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=establishment_a.account.pk).update(activated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        page = act(backoffice_a, "send_activation", establishment_a, cramif["old"])
    assert "1 e-mail(s) d'activation envoyé(s), 1 établissement(s) ignoré(s)" in unescape(
        page.content.decode()
    )
    assert [m.to for m in mailoutbox] == [[cramif["old"].account.email]]


def test_unlock_lifts_the_lock(backoffice_a, establishment_a):
    LoginLock.objects.create(identifier=establishment_a.siret, failures=3,
                             locked_until=timezone.now() + timedelta(minutes=10))  # fmt: skip
    act(backoffice_a, "unlock_accounts", establishment_a)
    assert not LoginLock.objects.filter(identifier=establishment_a.siret).exists()


def test_a_preventeur_cannot_move_an_establishment_nor_change_its_data(
    backoffice_a, establishment_a, caisse_b
):
    url = reverse("admin:profiles_establishment_change", args=[establishment_a.pk])
    form = backoffice_a.get(url).context["adminform"].form
    assert list(form.fields) == ["preventeur"]
    backoffice_a.post(url, {"preventeur": "", "caisse": caisse_b.pk, "name": "Piraté",
                            "memberships-TOTAL_FORMS": "0",
                            "memberships-INITIAL_FORMS": "0"})  # fmt: skip
    establishment_a.refresh_from_db()
    assert establishment_a.caisse.code == "CRAMIF" and establishment_a.name == "Ateliers Alpha"


def test_another_caisses_objects_are_404_on_every_admin_url(backoffice_a, establishment_b):
    for name in ("change", "history", "delete", "follow"):
        url = reverse(f"admin:profiles_establishment_{name}", args=[establishment_b.pk])
        assert backoffice_a.get(url).status_code == 404, name


def test_the_national_team_sees_every_caisse_and_filters_by_caisse(
    national_team, establishment_a, establishment_b
):
    client = as_staff(national_team)
    assert set(names(client.get(LIST))) == {"Ateliers Alpha", "Boulangerie Bêta"}
    only_b = client.get(LIST, {"caisse__id__exact": establishment_b.caisse_id})
    assert names(only_b) == ["Boulangerie Bêta"]


def test_an_export_of_the_filtered_list(backoffice_a, cramif):
    import io

    from openpyxl import load_workbook

    response = backoffice_a.get(reverse("admin:profiles_establishment_export"), {"attente": "1"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    sheet = load_workbook(io.BytesIO(content)).active
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "Gamma ancienne" in values and "Delta récente" in values
    assert "Ateliers Alpha" not in values


def test_an_export_of_the_selection(backoffice_a, cramif):
    response = backoffice_a.post(
        LIST, {"action": "export_selection", ACTION_CHECKBOX_NAME: [cramif["old"].pk]}
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    response.close()


def test_a_forged_non_numeric_id_in_an_action_is_no_error(backoffice_a, cramif):
    response = backoffice_a.post(LIST, {"action": "assign_to_me",
                                        ACTION_CHECKBOX_NAME: ["abc", str(cramif["old"].pk)]})  # fmt: skip
    assert response.status_code == 302
    assert Establishment.objects.get(pk=cramif["old"].pk).preventeur is not None
