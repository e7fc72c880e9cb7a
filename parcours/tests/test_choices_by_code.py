"""Choices are stored by code: a reworded label never costs an answer."""

import io
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from parcours.models import Answer, Question

from .conftest import form_data

CONTENT = Path(__file__).resolve().parents[1] / "content" / "parcours.yaml"
STEP1 = reverse("parcours:step", args=[1])


class _FormReader(HTMLParser):
    """The fields of one <form> as a browser submits them, untouched."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self.textarea = self.select = None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.add(name, text.removeprefix("\n"))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def as_submitted(response, form_id="step-form") -> dict:
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}


def answer(establishment, code):
    return Answer.objects.get(establishment=establishment, question__code=code).value


def load(folder, text, *options):
    path = folder / "parcours.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("load_parcours", str(path), "--no-templates", *options, stdout=out)
    return out.getvalue()


def content(**replacements) -> str:
    text = CONTENT.read_text(encoding="utf-8")
    for old, new in replacements.values():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def export_cell(client, code):
    workbook = load_workbook(BytesIO(client.get(reverse("parcours:export")).content))
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row[1] == code:
                return row[3]
    raise AssertionError(code)


def test_answers_store_codes_and_the_page_shows_labels(client_a, establishment_a, parcours):
    data = form_data(establishment_a, 1, {"Q2": ["plaintes", "arrets"], "Q3": "modere"})
    assert client_a.post(STEP1, data).status_code == 302
    assert answer(establishment_a, "Q3") == "modere"
    assert answer(establishment_a, "Q2") == ["arrets", "plaintes"]
    page = client_a.get(STEP1)
    q2, q3 = (Question.objects.get(code=code) for code in ("Q2", "Q3"))
    assert as_submitted(page)[f"q_{q3.pk}"] == "modere"  # checked
    assert as_submitted(page)[f"q_{q2.pk}"] == ["arrets", "plaintes"]
    assert "Modéré" in page.content.decode()


def test_an_unknown_code_for_a_single_choice_is_refused_and_nothing_saved(
    client_a, establishment_a, parcours
):
    response = client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "enorme"}))
    assert response.status_code == 200
    assert "Choisissez une des réponses proposées." in response.content.decode()
    assert not Answer.objects.filter(establishment=establishment_a).exists()


def test_a_label_reworded_in_the_admin_keeps_the_answer_when_the_step_is_saved_again(
    admin_client, client_a, establishment_a, parcours
):
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "modere"}))
    q3 = Question.objects.get(code="Q3")
    change = reverse("admin:parcours_question_change", args=[q3.pk])
    posted = as_submitted(admin_client.get(change), form_id="question_form")
    assert '"label": "Modéré"' in posted["choices"]
    posted["choices"] = posted["choices"].replace('"label": "Modéré"', '"label": "Moyen"')
    assert admin_client.post(change, posted).status_code == 302

    # The page is saved again as the browser sends it, another answer changed.
    page = client_a.get(STEP1)
    assert "Moyen" in page.content.decode()
    posted = as_submitted(page)
    posted[f"q_{Question.objects.get(code='Q4').pk}"] = "Une nouvelle attente"
    assert client_a.post(STEP1, posted).status_code == 302

    assert answer(establishment_a, "Q3") == "modere"
    assert answer(establishment_a, "Q4") == "Une nouvelle attente"
    assert export_cell(client_a, "Q3") == "Moyen"


def test_a_label_reworded_in_the_content_file_keeps_the_answer(
    client_a, establishment_a, parcours, tmp_path
):
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q2": ["arrets", "aucune"]}))
    load(tmp_path, content(q2=('label: "Arrêts de travail"', 'label: "Arrêts maladie"')))

    page = client_a.get(STEP1)
    assert "Arrêts maladie" in page.content.decode()
    assert client_a.post(STEP1, as_submitted(page)).status_code == 302
    assert answer(establishment_a, "Q2") == ["arrets", "aucune"]
    assert export_cell(client_a, "Q2") == "Arrêts maladie ; Aucune à ce jour"


def test_the_content_file_cannot_drop_a_code_answers_hold(
    client_a, establishment_a, parcours, tmp_path
):
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "faible"}))
    text = content(
        q3=('              - {code: "faible", label: "Faible"}\n', ""),
        q1=("La direction de l'établissement s'est-elle", "La direction s'est-elle"),
    )
    with pytest.raises(CommandError, match="--retire-choices") as error:
        load(tmp_path, text)
    assert "« faible »" in str(error.value) and "Rien n'a été chargé" in str(error.value)
    # Nothing written, not even the other changes of the file.
    assert Question.objects.get(code="Q1").text.startswith("La direction de l'établissement")
    assert "faible" in Question.objects.get(code="Q3").choice_labels


def test_retire_choices_drops_a_used_code_and_its_answers_keep_it(
    client_a, establishment_a, parcours, tmp_path
):
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "faible"}))
    output = load(
        tmp_path,
        content(q3=('              - {code: "faible", label: "Faible"}\n', "")),
        "--retire-choices",
    )
    assert "1 choix retiré(s), réponses conservées." in output
    assert "faible" not in Question.objects.get(code="Q3").choice_labels

    # Shown as is, and kept by a save that does not touch it.
    page = client_a.get(STEP1)
    assert 'value="faible"' in page.content.decode()
    assert client_a.post(STEP1, as_submitted(page)).status_code == 302
    assert answer(establishment_a, "Q3") == "faible"
    assert export_cell(client_a, "Q3") == "faible"
    # Once another answer is picked, the retired code is no longer offered.
    q3 = Question.objects.get(code="Q3")
    assert (
        client_a.post(STEP1, {**as_submitted(page), f"q_{q3.pk}": "important"}).status_code == 302
    )
    assert answer(establishment_a, "Q3") == "important"
    response = client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "faible"}))
    assert "Choisissez une des réponses proposées." in response.content.decode()


def test_an_unused_code_leaves_the_content_file_without_option(parcours, tmp_path):
    load(tmp_path, content(q3=('              - {code: "faible", label: "Faible"}\n', "")))
    assert list(Question.objects.get(code="Q3").choice_labels) == [
        "modere",
        "important",
        "ne-sait-pas",
    ]


@pytest.mark.parametrize(
    "choice, message",
    [
        ('"Faible"', "n'a pas de code"),
        ("{code: modere, label: Faible}", "est utilisé deux fois"),
        ("{code: faible2}", "n'a pas de libellé"),
        ("{code: trop faible, label: Faible}", "lettres sans accent"),
    ],
)
def test_the_content_file_needs_a_code_and_a_label_per_choice(db, tmp_path, choice, message):
    text = content(q3=('{code: "faible", label: "Faible"}', choice))
    with pytest.raises(CommandError, match=message):
        load(tmp_path, text)
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "choices, message",
    [
        ('["Faible", "Modéré"]', "n&#x27;a pas de code"),
        ('[{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]', "utilisé deux fois"),
        ('[{"code": "", "label": "A"}]', "n&#x27;a pas de code"),
        ('[{"code": "modere", "label": "Modéré"}]', "Des réponses enregistrent « faible »"),
    ],
)
def test_the_admin_refuses_malformed_choices_and_removing_a_used_code(
    admin_client, client_a, establishment_a, parcours, choices, message
):
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q3": "faible"}))
    q3 = Question.objects.get(code="Q3")
    before = q3.choices
    change = reverse("admin:parcours_question_change", args=[q3.pk])
    posted = {**as_submitted(admin_client.get(change), form_id="question_form"), "choices": choices}
    response = admin_client.post(change, posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    q3.refresh_from_db()
    assert q3.choices == before
