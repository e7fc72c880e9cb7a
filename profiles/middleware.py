"""The establishment a request acts for, set once for every request."""

from .models import Membership
from .permissions import allowed_actions

# The establishment chosen by a person with several memberships (kept in the session).
CURRENT_ESTABLISHMENT_KEY = "tmspros_establishment_id"


def active_memberships(request) -> list:
    """The request's person's active memberships, by establishment name (one query,
    only for logins that act through memberships)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member_kind:
        return []
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("establishment__caisse", "establishment__preventeur")
        .order_by("establishment__name", "pk")
    )


def chosen_membership(request, memberships) -> Membership | None:
    """The membership the request acts through: the one chosen in the session,
    otherwise the first (a person with several chooses after login)."""
    if not memberships:
        return None
    chosen = request.session.get(CURRENT_ESTABLISHMENT_KEY)
    for membership in memberships:
        if membership.establishment_id == chosen:
            return membership
    return memberships[0]


def has_chosen(request) -> bool:
    """Whether the session holds a choice among the person's memberships."""
    chosen = request.session.get(CURRENT_ESTABLISHMENT_KEY)
    return any(m.establishment_id == chosen for m in request.memberships)


class CurrentEstablishmentMiddleware:
    """Sets request.memberships, request.membership and request.establishment (None
    when not a member) and request.permissions (profiles.permissions.Action values).

    Every view, context processor and template tag reads them from here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = active_memberships(request)
        request.membership = chosen_membership(request, request.memberships)
        request.establishment = request.membership.establishment if request.membership else None
        request.permissions = allowed_actions(
            request.user, request.establishment, request.membership
        )
        return self.get_response(request)
