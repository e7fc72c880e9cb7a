"""The outbox admin is the national team's: its rows hold live links."""

from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.urls import reverse

from outbox.models import OutboxMessage

CHANGELIST = reverse("admin:outbox_outboxmessage_changelist")


def an_activation_email():
    EmailMessage("Activez votre compte", "https://x/compte/activer/…", None, ["a@b.fr"]).send()
    return OutboxMessage.objects.get()


def test_a_preventeur_neither_sees_nor_opens_the_outbox(client, preventeur_a):
    # Even granted the model's permission by mistake.
    preventeur_a.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    row = an_activation_email()
    client.force_login(preventeur_a)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert CHANGELIST not in index.content.decode()
    assert client.get(CHANGELIST).status_code == 403
    change = reverse("admin:outbox_outboxmessage_change", args=[row.pk])
    response = client.get(change)
    assert response.status_code == 403
    assert "compte/activer" not in response.content.decode()


def test_the_national_team_reads_the_outbox(client, national_team):
    row = an_activation_email()
    client.force_login(national_team)
    assert CHANGELIST in client.get(reverse("admin:index")).content.decode()
    assert "Activez votre compte" in client.get(CHANGELIST).content.decode()
    change = client.get(reverse("admin:outbox_outboxmessage_change", args=[row.pk]))
    assert change.status_code == 200
    assert "Activez votre compte" in change.content.decode()


def test_the_links_of_a_message_are_masked_even_for_the_national_team(client, national_team):
    EmailMultiAlternatives(
        "Réinitialisation",
        "Bonjour,\nhttps://tmspros.example.fr/compte/password/reset/key/3-abc123/ à ouvrir.",
        None,
        ["a@b.fr"],
        alternatives=[
            (
                '<a href="https://tmspros.example.fr/compte/password/reset/key/3-abc123/">ici</a>',
                "text/html",
            )
        ],
    ).send()
    row = OutboxMessage.objects.get()
    client.force_login(national_team)
    page = client.get(reverse("admin:outbox_outboxmessage_change", args=[row.pk])).content.decode()
    assert "3-abc123" not in page
    assert "[lien masqué] à ouvrir." in page
    assert "3-abc123" not in client.get(CHANGELIST).content.decode()


def test_superusers_read_the_outbox(admin_client):
    an_activation_email()
    assert admin_client.get(CHANGELIST).status_code == 200
