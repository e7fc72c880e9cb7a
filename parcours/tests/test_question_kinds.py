"""Each kind of question is defined once, in parcours.kinds."""

from django.urls import reverse

from parcours import kinds
from parcours.models import Question


def test_every_kind_of_question_has_one_definition():
    assert set(kinds.KINDS) == set(Question.Kind.values)
    for code, definition in kinds.KINDS.items():
        assert Question(kind=code).kind_definition is definition


def test_documents_are_offered_on_documents_questions_and_those_accepting_files(client_a, parcours):
    html = client_a.get(reverse("parcours:step", args=[2])).content.decode()
    assert Question.objects.get(code="Q13").takes_files  # long text accepting files
    assert 'name="files-Q13"' in html
    assert not Question.objects.get(code="Q9").takes_files
    assert 'name="files-Q9"' not in html
    assert Question(kind=Question.Kind.DOCUMENTS).takes_files


def test_each_kind_says_its_value_in_words():
    q3 = Question(kind="single_choice", choices=[{"code": "faible", "label": "Faible"}])
    q2 = Question(
        kind="multiple_choice",
        choices=[{"code": "a", "label": "Arrêts"}, {"code": "b", "label": "Absences"}],
    )
    assert kinds.display_value(q3, "faible") == "Faible"
    assert kinds.display_value(q3, "retire") == "retire"  # an unknown code, as is
    assert kinds.display_value(q2, ["a", "b", "c"]) == "Arrêts ; Absences ; c"
    assert kinds.display_value(Question(kind="yes_no"), False) == "Non"
    assert kinds.display_value(Question(kind="number"), 12.5) == "12,5"
    assert kinds.display_value(Question(kind="date"), "2025-03-14") == "14/03/2025"
    assert kinds.display_value(Question(kind="short_text"), None) == ""
