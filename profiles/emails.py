"""The e-mails of the profiles app, one function each."""

from django.conf import settings
from django.urls import reverse

from outbox.services import send_templated_email


def accept_invitation_url(invitation) -> str:
    return settings.SITE_URL + reverse("profiles:accept_invitation", args=[invitation.token])


def representative_invitation(invitation) -> None:
    """The single-use link that lets a staff representative in (sent and resent)."""
    send_templated_email(
        template="representative_invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "establishment": invitation.establishment,
            "accept_url": accept_invitation_url(invitation),
            "expires_at": invitation.expires_at,
        },
    )
