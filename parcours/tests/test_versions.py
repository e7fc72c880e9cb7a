"""A step's state as plain data, and the readable changes between two states."""

import json

from django.urls import reverse

from parcours import versions
from parcours.models import Comment, Question, Step
from parcours.steps import load_step

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def state(establishment):
    return versions.state_of(load_step(establishment, Step.objects.get(number=1)))


def test_a_state_is_plain_data_keyed_by_codes(client_a, establishment_a, parcours):
    q1 = Question.objects.get(code="Q1")
    data = form_data(establishment_a, 1, comments={q1.block_id: "Engagement signé"})
    client_a.post(STEP1, data)
    attach(establishment_a, "Q8", name="tableau.xlsx")
    snapshot = state(establishment_a)
    assert json.loads(json.dumps(snapshot)) == snapshot  # storable as JSON
    assert snapshot["answers"]["Q1"]["value"] is True
    assert snapshot["answers"]["Q1"]["display"] == "Oui"
    assert snapshot["comments"][q1.block.code][Comment.Voice.ESTABLISHMENT] == "Engagement signé"
    assert [f["name"] for f in snapshot["documents"]["Q8"]["files"]] == ["tableau.xlsx"]


def test_the_same_state_has_no_changes(client_a, establishment_a, parcours):
    client_a.post(STEP1, form_data(establishment_a, 1))
    assert versions.diff(state(establishment_a), state(establishment_a)) == []


def test_changes_name_the_answer_the_comment_and_the_documents(
    client_a, establishment_a, parcours
):
    q1 = Question.objects.get(code="Q1")
    client_a.post(STEP1, form_data(establishment_a, 1))
    before = state(establishment_a)
    client_a.post(
        STEP1,
        form_data(establishment_a, 1, {"Q1": "non"}, comments={q1.block_id: "Revu en CSE"}),
    )
    attach(establishment_a, "Q8", name="tableau 2026.xlsx")
    changes = versions.diff(before, state(establishment_a))
    assert [(c.label.split(" – ")[0], c.before, c.after) for c in changes[:2]] == [
        ("Q1", "Oui", "Non"),
        ("Commentaires de l'établissement", "", "Revu en CSE"),
    ]
    assert changes[2].label == "Documents joints – Q8"
    assert changes[2].before == "" and changes[2].after.startswith("ajouté : tableau 2026.xlsx (")
    assert len(changes) == 3


def test_a_reworded_question_compares_by_code(client_a, establishment_a, parcours):
    client_a.post(STEP1, form_data(establishment_a, 1))
    before = state(establishment_a)
    Question.objects.filter(code="Q1").update(text="La direction s'est-elle engagée ?")
    assert versions.diff(before, state(establishment_a)) == []
