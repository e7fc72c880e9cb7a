"""A date in an answer is a plausible one: years 1900 to 2100, said in French."""

import pytest
from django.urls import reverse

from parcours.models import Answer, Question

from .conftest import form_data


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/0001", "31/12/1899", "01/01/2101"])
def test_a_date_outside_1900_2100_is_refused_next_to_its_question(
    client_a, establishment_a, parcours, typed
):
    question = Question.objects.get(code="Q7")
    url = reverse("parcours:step", args=[question.block.step.number])
    response = client_a.post(url, form_data(establishment_a, question.block.step.number, {"Q7": typed}))
    assert response.status_code == 200
    assert "Saisissez une date entre 1900 et 2100" in response.content.decode()
    assert not Answer.objects.filter(establishment=establishment_a, question=question).exists()


@pytest.mark.parametrize("typed, stored", [("01/01/1900", "1900-01-01"), ("31/12/2100", "2100-12-31")])
def test_the_bounds_themselves_are_accepted(client_a, establishment_a, parcours, typed, stored):
    question = Question.objects.get(code="Q7")
    url = reverse("parcours:step", args=[question.block.step.number])
    response = client_a.post(url, form_data(establishment_a, question.block.step.number, {"Q7": typed}))
    assert response.status_code == 302
    assert Answer.objects.get(establishment=establishment_a, question=question).value == stored
