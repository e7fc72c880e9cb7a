from django.test import Client


def test_establishment_menu_has_the_seed_entries_and_logout(client_a):
    html = client_a.get("/").content.decode()
    for entry in (
        "MON PARCOURS",
        "MON PROFIL",
        "MES PIÈCES JOINTES",
        "déconnexion",
        "Mentions légales",
    ):
        assert entry in html, entry
    assert 'action="/compte/logout/"' in html and 'method="post"' in html


def test_staff_menu_points_to_the_back_office_not_to_establishment_pages(preventeur_a):
    client = Client()
    client.force_login(preventeur_a)
    html = client.get("/").content.decode()
    assert "ADMINISTRATION" in html
    assert "MES PIÈCES JOINTES" not in html


def test_legal_notice_is_public(client, db):
    assert client.get("/mentions-legales/").status_code == 200
