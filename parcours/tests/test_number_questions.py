"""Number questions take a whole or a decimal number, within their bounds."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from parcours.models import Answer, Question

from .conftest import form_data


def post(client, establishment, code, value):
    question = Question.objects.get(code=code)
    number = question.block.step.number
    return client.post(
        reverse("parcours:step", args=[number]), form_data(establishment, number, {code: value})
    )


def stored(establishment, code):
    row = Answer.objects.filter(establishment=establishment, question__code=code).first()
    return row.value if row else None


def test_headcount_and_counts_are_whole_numbers(parcours):
    kinds = dict(Question.objects.filter(kind="number").values_list("code", "number_kind"))
    assert kinds == {"Q5": "integer", "Q6": "integer", "Q16": "integer", "Q27": "decimal"}


def test_a_whole_number_question_refuses_a_decimal(client_a, establishment_a, parcours):
    response = post(client_a, establishment_a, "Q5", "12,5")
    assert response.status_code == 200
    assert "Saisissez un nombre entier, par exemple 12." in response.content.decode()
    assert stored(establishment_a, "Q5") is None


def test_a_whole_number_is_stored_as_an_integer(client_a, establishment_a, parcours):
    assert post(client_a, establishment_a, "Q5", "120").status_code == 302
    assert stored(establishment_a, "Q5") == 120


def test_a_decimal_question_takes_a_comma(client_a, establishment_a, parcours):
    assert post(client_a, establishment_a, "Q27", "12,5").status_code == 302
    assert stored(establishment_a, "Q27") == 12.5
    html = client_a.get(reverse("parcours:step", args=[4])).content.decode()
    assert 'value="12,5"' in html


@pytest.mark.parametrize(
    "code, value, message",
    [
        ("Q27", "100,5", "Saisissez un nombre inférieur ou égal à 100."),
        ("Q27", "-1", "Saisissez un nombre positif ou nul."),
        ("Q6", "-1", "Saisissez un nombre positif ou nul."),
        ("Q6", "99999999999", "Ce nombre est trop grand."),
    ],
)
def test_a_number_out_of_its_bounds_is_refused(
    client_a, establishment_a, parcours, code, value, message
):
    response = post(client_a, establishment_a, code, value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Answer.objects.filter(establishment=establishment_a).exists()


@pytest.mark.parametrize("number_kind", ["integer", "decimal"])
def test_bounds_set_in_the_admin_are_said_in_french(
    client_a, establishment_a, parcours, number_kind
):
    Question.objects.filter(code="Q6").update(number_kind=number_kind, min_value=1, max_value=10)
    low = post(client_a, establishment_a, "Q6", "0").content.decode()
    assert "Saisissez un nombre supérieur ou égal à 1." in low
    high = post(client_a, establishment_a, "Q6", "11").content.decode()
    assert "Saisissez un nombre inférieur ou égal à 10." in high
    assert post(client_a, establishment_a, "Q6", "10").status_code == 302


def test_a_minimum_above_the_maximum_is_refused(parcours):
    question = Question.objects.get(code="Q27")
    question.min_value, question.max_value = 10, 5
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert error.value.message_dict["max_value"] == [
        "La valeur maximale doit être supérieure ou égale à la valeur minimale."
    ]


@pytest.mark.parametrize(
    "extra, message",
    [
        ("number_kind: whole", "number_kind « whole » inconnu"),
        ("max_value: beaucoup", "max_value n'est pas un nombre"),
        ("min_value: 5\n      max_value: 1", "min_value est plus grand que max_value"),
    ],
)
def test_the_content_file_checks_number_settings(db, tmp_path, extra, message):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "steps:\n- number: 1\n  short_title: a\n  question: b\n  blocks:\n"
        "  - code: B\n    title: t\n    questions:\n"
        f"    - code: Q1\n      kind: number\n      text: x\n      {extra}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=message):
        call_command("load_parcours", str(path), "--no-templates", stdout=io.StringIO())
    assert not Question.objects.exists()
