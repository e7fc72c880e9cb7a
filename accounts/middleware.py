import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

SESSION_STARTED_KEY = "tmspros_session_started"
SESSION_SEEN_KEY = "tmspros_session_seen"


class SessionExpiryMiddleware:
    """The two expiries of a logged-in session.

    - Absolute: SESSION_ABSOLUTE_HOURS after the login, whatever happens.
    - Idle: SESSION_COOKIE_AGE after the last activity. The session store's
      expiry date moves when the session is saved; rather than writing it on
      every request, the last-seen time is refreshed (and the session saved)
      at most once every SESSION_REFRESH_SECONDS. A session thus ends between
      SESSION_COOKIE_AGE minus a minute and SESSION_COOKIE_AGE after its last
      request, and a page that changes nothing in the session writes nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.get(SESSION_STARTED_KEY)
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                return self.get_response(request)
            if now - session.get(SESSION_SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages of a logged-in user are never kept by a browser or a proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


# What a staff member without a second factor may reach: the set-up (and the
# password confirmation allauth asks before it), the recovery codes it then
# shows, and logout.
SECOND_FACTOR_SETUP_URL_NAMES = frozenset(
    {"mfa_activate_totp", "mfa_view_recovery_codes", "account_reauthenticate", "account_logout"}
)


class StaffAccessMiddleware:
    """Who reaches the admin, and when.

    - A staff account (is_staff or superuser) without a TOTP authenticator is
      sent to its set-up and reaches nothing else (no admin page, no portal
      page) but the set-up, logout and static files.
    - Any other logged-in account (an establishment's, a representative's)
      never reaches the admin: it is sent home, rather than to the admin's
      login (the portal's login) and back.

    It sits after AuthenticationMiddleware and SessionExpiryMiddleware (it
    needs the user of a live session) and acts in process_view, where the URL
    is resolved. One indexed query per request, for staff accounts only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if user.needs_second_factor:
            if match.url_name in SECOND_FACTOR_SETUP_URL_NAMES or request.path.startswith(
                settings.STATIC_URL
            ):
                return None
            if not has_second_factor(user):
                return redirect("mfa_activate_totp")
            return None
        if "admin" in match.namespaces:
            return redirect("home")
        return None


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
