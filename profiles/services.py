"""Staff representatives: invited by their establishment, members once they accept.

Memberships are deactivated, never deleted; an invitation is accepted,
withdrawn or resent, never deleted either.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import AccountEvent, User
from accounts.services import end_sessions, record_event

from . import emails
from .models import Invitation, Membership, default_invitation_validity, new_invitation_token

NOT_INVITABLE_MESSAGE = "Cette adresse est celle d'un compte qui ne peut pas être invité."


class InvitationError(ValueError):
    """The invitation cannot be used as asked (the message says why, in French)."""


def invitable_account_error(email: str) -> str | None:
    """Why `email` cannot be invited as a representative, or None.

    An establishment's or a staff account's address, or a deactivated
    account, cannot be: a representative is a login of its own, kind
    "representative", whose identifier is the address.
    """
    others = User.objects.filter(username__iexact=email) | User.objects.filter(email__iexact=email)
    for user in others:
        if user.kind != User.Kind.REPRESENTATIVE or not user.is_active:
            return NOT_INVITABLE_MESSAGE
    return None


@transaction.atomic
def invite_representative(
    *, establishment, email: str, first_name: str, last_name: str, mandate: str, by
) -> Invitation:
    invitation = Invitation.objects.create(
        establishment=establishment,
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        mandate=mandate,
        invited_by=by,
    )
    emails.representative_invitation(invitation)
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> Invitation:
    """A new link (the previous one stops working) valid from now, e-mailed again."""
    if not invitation.is_pending:
        raise InvitationError("Cette invitation a déjà été acceptée ou retirée.")
    invitation.token = new_invitation_token()
    invitation.sent_at = timezone.now()
    invitation.validity = default_invitation_validity()
    invitation.save(update_fields=["token", "sent_at", "validity"])
    emails.representative_invitation(invitation)
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, by) -> None:
    now = timezone.now()
    withdrawn = (
        Invitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(withdrawn_at=now, withdrawn_by=by)
    )
    if not withdrawn:
        raise InvitationError("Cette invitation a déjà été acceptée ou retirée.")
    invitation.withdrawn_at, invitation.withdrawn_by = now, by


@transaction.atomic
def withdraw_representative(*, membership: Membership, by) -> int:
    """The representative no longer acts for the establishment, from their very
    next request: their sessions end. What they wrote stays, with their name.
    Returns how many sessions were ended."""
    if membership.role != Membership.Role.REPRESENTATIVE:
        raise InvitationError("Seul un représentant du personnel peut être retiré ici.")
    membership.is_active = False
    membership.updated_by = by
    membership.save(update_fields=["is_active", "updated_by", "updated_at"])
    return end_sessions(membership.user)


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, user: User | None = None, password: str = "", request=None
) -> Membership:
    """The invited person accepts, once: with their account (the one whose
    identifier is the invited address), or with a new one and `password`.

    The membership is created, or reactivated (a representative withdrawn then
    invited again). The invitation is claimed by a conditional UPDATE, so two
    simultaneous acceptances make one membership.
    """
    now = timezone.now()
    existing = User.objects.filter(username=invitation.email).first()
    if invitable_account_error(invitation.email):
        raise InvitationError(NOT_INVITABLE_MESSAGE)
    if user is None and existing is not None:
        raise InvitationError(
            "Un compte existe déjà pour cette adresse : connectez-vous avec lui pour accepter."
        )
    if user is not None and user != existing:
        raise InvitationError(
            f"Cette invitation est destinée à {invitation.email} : "
            "elle ne peut être acceptée qu'avec le compte de cette adresse."
        )
    claimed = Invitation.objects.valid(now).filter(pk=invitation.pk).update(accepted_at=now)
    if not claimed:
        raise InvitationError("Cette invitation n'est plus valable.")
    if user is None:
        user = User.objects.create_user(
            username=invitation.email,
            email=invitation.email,
            password=password,
            kind=User.Kind.REPRESENTATIVE,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            activated_at=now,
        )
        record_event(user, AccountEvent.Kind.ACTIVATED, request)
    membership, created = Membership.objects.get_or_create(
        establishment=invitation.establishment,
        user=user,
        defaults={
            "role": Membership.Role.REPRESENTATIVE,
            "mandate": invitation.mandate,
            "updated_by": user,
        },
    )
    if not created:
        membership.role = Membership.Role.REPRESENTATIVE
        membership.mandate = invitation.mandate
        membership.is_active = True
        membership.updated_by = user
        membership.save(update_fields=["role", "mandate", "is_active", "updated_by", "updated_at"])
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_by"])
    return membership
