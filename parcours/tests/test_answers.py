import pytest
from django.urls import reverse

from parcours.models import Answer, Comment, Question, StepProgress

from .conftest import form_data

STEP1 = reverse("parcours:step", args=[1])
STEP2 = reverse("parcours:step", args=[2])


def answer(establishment, code):
    row = Answer.objects.filter(establishment=establishment, question__code=code).first()
    return row.value if row else None


def test_saving_stores_every_kind_and_says_so(client_a, establishment_a, parcours):
    data = form_data(
        establishment_a,
        1,
        {"Q1": "non", "Q2": ["absenteisme", "arrets"], "Q5": "12", "Q7": "2025-03-14"},
    )
    response = client_a.post(STEP1, data, follow=True)
    assert "Vos réponses ont été enregistrées." in response.content.decode()
    assert answer(establishment_a, "Q1") is False
    assert answer(establishment_a, "Q2") == ["arrets", "absenteisme"]  # in the choices' order
    assert answer(establishment_a, "Q3") == "faible"
    assert answer(establishment_a, "Q4").startswith("Les postes")
    assert answer(establishment_a, "Q5") == 12
    assert answer(establishment_a, "Q6") == 42
    assert answer(establishment_a, "Q7") == "2025-03-14"
    # Shown again on the page.
    html = client_a.get(STEP1).content.decode()
    assert 'value="12"' in html and 'value="2025-03-14"' in html


@pytest.mark.parametrize(
    "code, bad, message",
    [
        ("Q1", "peut-être", "Répondez par oui ou par non."),
        ("Q3", "Énorme", "Choisissez une des réponses proposées."),
        ("Q2", ["arrets", "Inventé"], "ne fait pas partie des réponses proposées"),
        ("Q2", ["Arrêts de travail"], "ne fait pas partie des réponses proposées"),
        ("Q5", "douze", "Saisissez un nombre"),
        ("Q5", "-3", "Saisissez un nombre positif ou nul."),
        ("Q7", "31/02/2025", "Saisissez une date valide"),
        ("Q4", "x" * 5001, "Cette réponse est trop longue"),
        ("Q9", "x" * 256, "Cette réponse est trop longue"),
    ],
)
def test_a_bad_value_is_refused_next_to_its_question_and_nothing_typed_is_lost(
    client_a, establishment_a, parcours, code, bad, message
):
    question = Question.objects.get(code=code)
    number = question.block.step.number
    url = reverse("parcours:step", args=[number])
    data = form_data(establishment_a, number, {code: bad})
    block = question.block
    data[f"comment_{block.pk}"] = "Notre commentaire en cours"

    response = client_a.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The error sits in the question's own container.
    container = html[html.index(f'id="question-{code}"') :]
    container = container[: container.index('id="question-', 10)]
    assert message in container
    assert "Notre commentaire en cours" in html
    other = 'value="42"' if number == 1 else "Les postes d&#x27;emballage"
    assert other in html
    assert not Answer.objects.filter(establishment=establishment_a).exists()
    assert not Comment.objects.filter(establishment=establishment_a).exists()


def test_a_step_can_be_saved_half_filled(client_a, establishment_a, parcours):
    q1 = Question.objects.get(code="Q1")
    response = client_a.post(STEP1, {"version": "0", f"q_{q1.pk}": "oui"})
    assert response.status_code == 302
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.status == StepProgress.Status.IN_PROGRESS


def test_clearing_an_answer_empties_it(client_a, establishment_a, parcours):
    client_a.post(STEP1, form_data(establishment_a, 1))
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q4": ""}))
    assert answer(establishment_a, "Q4") is None


def test_establishment_comments_keep_their_earlier_versions(client_a, establishment_a, parcours):
    block = Question.objects.get(code="Q1").block
    client_a.post(STEP1, form_data(establishment_a, 1, comments={block.pk: "Première version"}))
    client_a.post(STEP1, form_data(establishment_a, 1, comments={block.pk: "Seconde version"}))
    client_a.post(STEP1, form_data(establishment_a, 1, comments={block.pk: "Seconde version"}))
    texts = list(
        Comment.objects.filter(establishment=establishment_a, block=block)
        .order_by("created_at", "pk")
        .values_list("text", "voice", "author")
    )
    assert texts == [
        ("Première version", "establishment", establishment_a.account.pk),
        ("Seconde version", "establishment", establishment_a.account.pk),
    ]
    html = client_a.get(STEP1).content.decode()
    assert "Seconde version" in html and "Ateliers Alpha, le " in html
    # The earlier version is shown on the page too, with its author and date.
    assert "Versions précédentes (1)" in html
    assert "Première version" in html


def test_posting_another_steps_question_changes_nothing(client_a, establishment_a, parcours):
    """A key naming a question outside the step (guessed id) is ignored."""
    q9 = Question.objects.get(code="Q9")
    block2 = q9.block
    data = form_data(establishment_a, 1)
    data[f"q_{q9.pk}"] = "Intrus"
    data[f"comment_{block2.pk}"] = "Intrus"
    assert client_a.post(STEP1, data).status_code == 302
    assert answer(establishment_a, "Q9") is None
    assert not Comment.objects.filter(block=block2).exists()


def test_an_establishment_never_writes_or_reads_anothers_step(
    client_a, client_b, establishment_a, establishment_b, parcours
):
    client_a.post(
        STEP1, form_data(establishment_a, 1, {"Q9": None, "Q4": "Réponse secrète d'Alpha"})
    )
    alpha_progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)

    # B tampers: its own step URL with A's version, A's progress id in the URL.
    response = client_b.post(STEP1, form_data(establishment_b, 1, {"Q4": "Écrit par Bêta"}))
    assert response.status_code == 302
    assert client_b.get(reverse("parcours:step", args=[alpha_progress.pk + 100])).status_code == 404
    html = client_b.get(STEP1).content.decode()
    assert "Réponse secrète d'Alpha" not in html.replace("&#x27;", "'")

    assert answer(establishment_a, "Q4") == "Réponse secrète d'Alpha"
    assert answer(establishment_b, "Q4") == "Écrit par Bêta"
    alpha_progress.refresh_from_db()
    assert alpha_progress.updated_by == establishment_a.account
    export = client_b.get(reverse("parcours:export"))
    assert b"Alpha" not in export.content


def test_retired_questions_are_not_shown_nor_written(client_a, establishment_a, parcours):
    from django.utils import timezone

    q4 = Question.objects.get(code="Q4")
    data = form_data(establishment_a, 1)
    Question.objects.filter(pk=q4.pk).update(retired_at=timezone.now())
    assert f'name="q_{q4.pk}"' not in client_a.get(STEP1).content.decode()
    client_a.post(STEP1, data)
    assert answer(establishment_a, "Q4") is None
