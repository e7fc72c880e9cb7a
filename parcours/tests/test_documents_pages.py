"""'Mes pièces jointes' shows a page of documents at a time, at a fixed cost."""

from django.urls import reverse

from parcours.views import DOCUMENTS_PER_PAGE

from .conftest import attach

DOCUMENTS = reverse("documents:index")


def test_the_documents_come_a_page_at_a_time(client_a, establishment_a, parcours):
    for index in range(DOCUMENTS_PER_PAGE + 5):
        attach(establishment_a, "Q8", name=f"tableau {index:03}.xlsx")
    first = client_a.get(DOCUMENTS).content.decode()
    second = client_a.get(DOCUMENTS, {"page": 2}).content.decode()
    assert first.count('name="delete"') == DOCUMENTS_PER_PAGE
    assert second.count('name="delete"') == 5
    # Newest first: the last deposited on the first page, the first on the second.
    assert f"tableau {DOCUMENTS_PER_PAGE + 4:03}.xlsx" in first
    assert "tableau 000.xlsx" in second and "tableau 000.xlsx" not in first
    assert 'aria-label="Pages des pièces jointes"' in first
    assert 'href="?page=2"' in first


def test_the_documents_page_costs_the_same_whatever_the_documents(
    client_a, establishment_a, parcours, django_assert_max_num_queries
):
    attach(establishment_a, "Q8")
    with django_assert_max_num_queries(40) as few:
        client_a.get(DOCUMENTS)
    for index in range(80):
        attach(establishment_a, "Q8", name=f"tableau {index}.xlsx")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_a.get(DOCUMENTS, {"page": 2})


def test_any_page_number_answers_a_page(client_a, establishment_a, parcours):
    attach(establishment_a, "Q8")
    for page in ("abc", "0", "99999999999999999999"):
        response = client_a.get(DOCUMENTS, {"page": page})
        assert response.status_code == 200
        assert "tableau de bord.xlsx" in response.content.decode()
