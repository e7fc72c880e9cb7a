"""What "Mon profil" shows of an establishment's staff representatives, and why an
invitation link cannot be used (the pages' words; the workflows are in services)."""

from dataclasses import dataclass

from django.utils import formats, timezone

from .forms import InvitationForm, invitation_form_helper
from .models import Invitation, Membership
from .permissions import Action


class State:
    INVITED = "Invitation envoyée"
    ACTIVE = "Actif"
    WITHDRAWN = "Retiré"


@dataclass
class Row:
    """One person of the list: their membership or, before they accept, their invitation."""

    name: str
    email: str
    mandate: str
    state: str
    detail: str = ""
    invitation: Invitation | None = None
    membership: Membership | None = None

    @property
    def may_resend(self) -> bool:
        return self.invitation is not None and self.state == State.INVITED

    @property
    def may_withdraw(self) -> bool:
        return self.state in (State.INVITED, State.ACTIVE)


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "d/m/Y")


def representative_rows(establishment) -> list[Row]:
    """One row per address (two queries): an active representative; otherwise
    their pending invitation ("expirée" past its validity); otherwise the
    withdrawn representative or invitation. Active first, then pending, then
    withdrawn, each by name."""
    rows: dict[str, Row] = {}
    memberships = (
        Membership.objects.filter(establishment=establishment, role=Membership.Role.REPRESENTATIVE)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "pk")
    )
    for membership in memberships:
        user = membership.user
        email = user.username.lower()
        if email in rows:
            continue
        rows[email] = Row(
            name=user.get_full_name() or email,
            email=email,
            mandate=membership.get_mandate_display(),
            state=State.ACTIVE if membership.is_active else State.WITHDRAWN,
            detail="" if membership.is_active else f"le {_date(membership.updated_at)}",
            membership=membership,
        )
    invitations = Invitation.objects.filter(
        establishment=establishment, accepted_at__isnull=True
    ).order_by("-sent_at", "-pk")
    for invitation in invitations:
        current = rows.get(invitation.email)
        if current is not None and current.state != State.WITHDRAWN:
            continue
        if invitation.is_pending:  # at most one per address; it replaces a withdrawal
            detail = f"le {_date(invitation.sent_at)}"
            if invitation.is_expired:
                detail += f", expirée depuis le {_date(invitation.expires_at)}"
            state = State.INVITED
        elif current is None:
            state = State.WITHDRAWN
            detail = f"invitation retirée le {_date(invitation.withdrawn_at)}"
        else:
            continue
        rows[invitation.email] = Row(
            name=invitation.full_name,
            email=invitation.email,
            mandate=invitation.get_mandate_display(),
            state=state,
            detail=detail,
            invitation=invitation,
        )
    order = {State.ACTIVE: 0, State.INVITED: 1, State.WITHDRAWN: 2}
    return sorted(rows.values(), key=lambda row: (order[row.state], row.name.lower()))


def section(request, invitation_form=None) -> dict:
    """The context of "Représentants du personnel" in "Mon profil": for whom may
    invite (the establishment's own account), when its profile says it has
    staff representatives, or while some are listed (to withdraw them)."""
    establishment = request.establishment
    if Action.INVITE_REPRESENTATIVES not in request.permissions:
        return {"representatives": None}
    rows = representative_rows(establishment)
    may_invite = bool(establishment.has_staff_representative)
    if not (may_invite or rows):
        return {"representatives": None}
    return {
        "representatives": {
            "rows": rows,
            "may_invite": may_invite,
            "form": invitation_form or InvitationForm(establishment),
            "helper": invitation_form_helper(),
        }
    }


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation link cannot be used, in French; None when it can."""
    if invitation is None:
        return (
            "Ce lien d'invitation n'est pas valable. S'il vous a été renvoyé, "
            "seul le lien du dernier e-mail reçu fonctionne."
        )
    if invitation.accepted_at is not None:
        return (
            "Cette invitation a déjà été acceptée : connectez-vous avec votre adresse "
            "e-mail et votre mot de passe."
        )
    if invitation.withdrawn_at is not None:
        return f"Cette invitation a été retirée par {invitation.establishment.name}."
    if invitation.is_expired:
        return (
            f"Cette invitation a expiré le {_date(invitation.expires_at)}. "
            f"Demandez à {invitation.establishment.name} de vous la renvoyer."
        )
    return None
