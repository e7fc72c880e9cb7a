"""The establishment a request acts for, set once for every request."""

from .models import Membership

# The establishment chosen by a person with several memberships (kept in the session).
CURRENT_ESTABLISHMENT_KEY = "tmspros_establishment_id"


def current_membership(request) -> Membership | None:
    """The active membership the request acts through, or None.

    One query, only for logins that act through memberships. A person with
    several memberships acts for the one chosen in the session, otherwise
    for the first (by establishment name).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member_kind:
        return None
    memberships = list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("establishment__caisse", "establishment__preventeur")
        .order_by("establishment__name", "pk")
    )
    if not memberships:
        return None
    chosen = request.session.get(CURRENT_ESTABLISHMENT_KEY)
    for membership in memberships:
        if membership.establishment_id == chosen:
            return membership
    return memberships[0]


class CurrentEstablishmentMiddleware:
    """Sets request.membership and request.establishment (None when not a member).

    Every view, context processor and template tag reads them from here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = current_membership(request)
        request.establishment = request.membership.establishment if request.membership else None
        return self.get_response(request)
