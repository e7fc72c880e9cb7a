"""Every admin URL of establishments' data, for a préventeur of caisse A on caisse B's objects."""

from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from attachments.tests.conftest import make_attachment
from parcours.models import Block, Comment, Question, Step, StepProgress


@pytest.fixture
def objects_of(establishment_a, establishment_b):
    """For each establishment: its step progress, a comment, a document."""
    step = Step.objects.create(number=1, short_title="Étape 1", question="?")
    block = Block.objects.create(step=step, code="S1.1", title="Bloc")
    question = Question.objects.create(block=block, code="S1", text="Documents",
                                       kind=Question.Kind.DOCUMENTS)  # fmt: skip
    made = {}
    for key, establishment in (("a", establishment_a), ("b", establishment_b)):
        made[key] = {
            "establishment": establishment,
            "stepprogress": StepProgress.objects.create(establishment=establishment, step=step),
            "comment": Comment.objects.create(establishment=establishment, block=block,
                                              voice=Comment.Voice.ESTABLISHMENT, text=f"c-{key}",
                                              author=establishment.account),  # fmt: skip
            "attachment": make_attachment(establishment, question, f"doc-{key}.pdf"),
        }
    return made


ADMINS = [
    ("profiles", "establishment"),
    ("parcours", "stepprogress"),
    ("parcours", "comment"),
    ("attachments", "attachment"),
]


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("app", "model"), ADMINS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_caisses_object_is_a_404_as_a_missing_one(
    preventeur_a, objects_of, app, model, view
):
    client = client_of(preventeur_a)
    other = objects_of["b"][model if model != "establishment" else "establishment"]
    assert client.get(reverse(f"admin:{app}_{model}_{view}", args=[other.pk])).status_code == 404
    missing = reverse(f"admin:{app}_{model}_{view}", args=[987654])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_lists_and_popups_hold_only_the_caisses_objects(preventeur_a, objects_of, app, model):
    client = client_of(preventeur_a)
    for params in ({}, {"_popup": "1", "_to_field": "id"}):
        response = client.get(reverse(f"admin:{app}_{model}_changelist"), params)
        assert response.status_code == 200
        shown = {obj.pk for obj in response.context["cl"].result_list}
        assert objects_of["a"][model].pk in shown
        assert objects_of["b"][model].pk not in shown
        html = unescape(response.content.decode())
        assert "Carsat Hauts-de-France" not in html  # no list of the caisses either


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_a_search_never_finds_another_caisses_object(preventeur_a, objects_of, app, model):
    client = client_of(preventeur_a)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "Bêta"})
    assert objects_of["b"][model].pk not in {o.pk for o in response.context["cl"].result_list}


def test_a_préventeur_own_caisses_objects_open(preventeur_a, objects_of):
    client = client_of(preventeur_a)
    for app, model in ADMINS:
        url = reverse(f"admin:{app}_{model}_change", args=[objects_of["a"][model].pk])
        assert client.get(url).status_code == 200, model


def test_a_delete_action_with_forged_ids_deletes_nothing(preventeur_a, objects_of):
    client = client_of(preventeur_a)
    client.post(
        reverse("admin:profiles_establishment_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [objects_of["b"]["establishment"].pk],
         "post": "yes"},
    )  # fmt: skip
    assert objects_of["b"]["establishment"].__class__.objects.filter(
        pk=objects_of["b"]["establishment"].pk
    ).exists()


def test_the_document_download_of_another_caisse_is_a_404(preventeur_a, objects_of):
    client = client_of(preventeur_a)
    own = reverse("attachments:download", args=[objects_of["a"]["attachment"].pk])
    other = reverse("attachments:download", args=[objects_of["b"]["attachment"].pk])
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_the_national_team_opens_every_caisses_objects(national_team, objects_of):
    client = client_of(national_team)
    for app, model in ADMINS:
        url = reverse(f"admin:{app}_{model}_change", args=[objects_of["b"][model].pk])
        assert client.get(url).status_code == 200, model


def test_a_préventeur_reads_their_own_caisse_only_and_never_edits_it(
    preventeur_a, caisse_a, caisse_b
):
    client = client_of(preventeur_a)
    response = client.get(reverse("admin:profiles_caisse_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [caisse_a.pk]
    page = client.get(reverse("admin:profiles_caisse_change", args=[caisse_a.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    other = client.get(reverse("admin:profiles_caisse_change", args=[caisse_b.pk]))
    assert other.status_code == 302  # "does not exist", as for a missing one


def test_the_préventeur_drop_down_offers_only_the_caisses_préventeurs(
    preventeur_a, preventeur_b, national_team, objects_of
):
    url = reverse("admin:profiles_establishment_change", args=[objects_of["a"]["establishment"].pk])
    for user, expected in ((preventeur_a, {preventeur_a.pk}),
                           (national_team, {preventeur_a.pk, preventeur_b.pk})):  # fmt: skip
        form = client_of(user).get(url).context["adminform"].form
        assert set(form.fields["preventeur"].queryset.values_list("pk", flat=True)) == expected
