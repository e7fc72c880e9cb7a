"""Reading a step never writes; the step page costs the same whatever the data."""

from django.urls import reverse

from parcours.models import Comment, Question, Step, StepProgress
from parcours.steps import load_step

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def test_displaying_a_step_creates_no_progress_row(client_a, establishment_a, parcours):
    assert client_a.get(STEP1).status_code == 200
    assert client_a.get(reverse("parcours:index")).status_code == 200
    assert not StepProgress.objects.exists()


def test_the_read_model_of_an_unvisited_step_is_unsaved_and_empty(establishment_a, parcours):
    data = load_step(establishment_a, Step.objects.get(number=1))
    assert data.progress.pk is None
    assert data.progress.version == 0
    assert data.progress.status == StepProgress.Status.TO_COMPLETE
    assert data.answers == {} and data.documents == set()
    assert not StepProgress.objects.exists()


def test_the_first_save_creates_the_progress_row(client_a, establishment_a, parcours):
    assert client_a.post(STEP1, form_data(establishment_a, 1)).status_code == 302
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.version == 1


def test_the_read_model_holds_every_comment_version_and_documents(
    client_a, establishment_a, parcours, django_assert_max_num_queries
):
    block = Question.objects.get(code="Q1").block
    for text in ("Premier", "Deuxième", "Troisième"):
        Comment.objects.create(
            establishment=establishment_a,
            block=block,
            voice=Comment.Voice.ESTABLISHMENT,
            text=text,
            author=establishment_a.account,
        )
    attach(establishment_a, "Q8")
    step = Step.objects.get(number=1)
    with django_assert_max_num_queries(8):
        data = load_step(establishment_a, step)
    [row] = [b for b in data.blocks if b.block == block]
    assert row.current(Comment.Voice.ESTABLISHMENT).text == "Troisième"
    assert [c["text"] for c in row.earlier_comments] == ["Deuxième", "Premier"]
    assert row.voices["establishment"]["author"] == "Ateliers Alpha"
    assert row.voices["caisse"] is None
    assert data.documents == {Question.objects.get(code="Q8").pk}


def test_the_step_page_query_count_does_not_grow_with_comments_and_documents(
    client_a, establishment_a, parcours, django_assert_max_num_queries
):
    client_a.post(STEP1, form_data(establishment_a, 1))
    with django_assert_max_num_queries(40) as few:
        client_a.get(STEP1)
    block = Question.objects.get(code="Q1").block
    for index in range(30):
        Comment.objects.create(
            establishment=establishment_a,
            block=block,
            voice=Comment.Voice.ESTABLISHMENT,
            text=f"Version {index}",
            author=establishment_a.account,
        )
        attach(establishment_a, "Q8", name=f"tableau {index}.xlsx")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_a.get(STEP1)


def test_a_save_reads_the_step_once(client_a, establishment_a, parcours):
    """The page's read model is the one the save writes on (the version, checked
    under the lock, says it is still the step's content)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attach(establishment_a, "Q8")
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q1": "non"}))
    with CaptureQueriesContext(connection) as queries:
        response = client_a.post(STEP1, form_data(establishment_a, 1, {"Q1": "oui"}))
    assert response.status_code == 302
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "parcours_block"')]
    assert len(reads) == 1
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert progress.version == 2 and progress.status == StepProgress.Status.COMPLETE
