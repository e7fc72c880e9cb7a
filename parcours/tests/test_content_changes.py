from parcours.models import Answer, Question


def test_a_question_whose_kind_changed_keeps_its_page_working(client_a, establishment_a, parcours):
    question = Question.objects.filter(kind=Question.Kind.DATE, block__step__number=1).first()
    Answer.objects.create(establishment=establishment_a, question=question, value="2025-03-14")
    # The national team turns the date question into a number question in the admin.
    question.kind = Question.Kind.NUMBER
    question.save()
    response = client_a.get("/parcours/etape/1/")
    assert response.status_code == 200
