from django.urls import reverse

from parcours.models import Answer, Question, StepProgress

from .conftest import form_data

STEP1 = reverse("parcours:step", args=[1])


def test_a_stale_save_is_refused_and_shows_both_versions(client_a, establishment_a, parcours):
    from django.test import Client

    client_a.post(STEP1, form_data(establishment_a, 1))  # version 1 on both pages
    first_page = form_data(establishment_a, 1, {"Q9": None, "Q4": "Version de Claire"})
    second_page = form_data(establishment_a, 1, {"Q4": "Version de Marc"})
    assert first_page["version"] == second_page["version"] == "1"

    colleague = Client()
    colleague.force_login(establishment_a.account)
    assert colleague.post(STEP1, first_page).status_code == 302

    response = client_a.post(STEP1, second_page)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Cette étape a été modifiée entre-temps" in html
    assert "Version de Claire" in html  # theirs
    assert "Version de Marc" in html  # yours, kept in the table and the form
    q4 = Question.objects.get(code="Q4")
    assert Answer.objects.get(establishment=establishment_a, question=q4).value == (
        "Version de Claire"
    )
    progress = StepProgress.objects.get(establishment=establishment_a, step__number=1)
    assert f'name="version" value="{progress.version}"' in html

    # Saving again from the conflict page is a deliberate choice: it is accepted.
    again = form_data(establishment_a, 1, {"Q4": "Version de Marc"})
    assert client_a.post(STEP1, again).status_code == 302
    assert Answer.objects.get(establishment=establishment_a, question=q4).value == (
        "Version de Marc"
    )


def test_two_saves_from_the_same_page_without_changes_between_do_not_conflict(
    client_a, establishment_a, parcours
):
    data = form_data(establishment_a, 1)
    assert client_a.post(STEP1, data).status_code == 302
    data = form_data(establishment_a, 1)
    assert client_a.post(STEP1, data).status_code == 302
