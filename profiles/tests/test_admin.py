from django.urls import reverse

from accounts.models import User
from conftest import give_second_factor


def test_admin_lists_searches_and_filters_establishments_and_edits_caisses(
    client, establishment_a, establishment_b
):
    admin = User.objects.create_superuser("national@example.fr", "national@example.fr", "x")
    give_second_factor(admin)
    client.force_login(admin)
    url = reverse("admin:profiles_establishment_changelist")
    assert establishment_b.name in client.get(url).content.decode()
    html = client.get(url, {"q": establishment_a.siret}).content.decode()
    assert establishment_a.name in html and establishment_b.name not in html
    html = client.get(url, {"caisse__id__exact": establishment_b.caisse_id}).content.decode()
    assert establishment_b.name in html and establishment_a.name not in html
    assert (
        client.get(
            reverse("admin:profiles_establishment_change", args=[establishment_a.pk])
        ).status_code
        == 200
    )

    caisse = establishment_b.caisse
    response = client.post(
        reverse("admin:profiles_caisse_change", args=[caisse.pk]),
        {
            "name": caisse.name,
            "region": caisse.region,
            "email": "nouveau@carsat.example.fr",
            "phone": "03 20 00 00 00",
            "address": "Lille",
        },
    )
    assert response.status_code == 302
    caisse.refresh_from_db()
    assert caisse.email == "nouveau@carsat.example.fr"


def test_a_preventeur_sees_only_the_establishments_of_their_caisse(
    establishment_a, establishment_b, preventeur_a
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    preventeur_a.user_permissions.add(Permission.objects.get(codename="view_establishment"))
    client = Client()
    client.force_login(preventeur_a)
    html = client.get("/admin/profiles/establishment/").content.decode()
    assert establishment_a.name in html
    assert establishment_b.name not in html
    assert (
        client.get(f"/admin/profiles/establishment/{establishment_b.pk}/change/").status_code == 404
    )
