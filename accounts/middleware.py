import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

SESSION_STARTED_KEY = "tmspros_session_started"


class SessionExpiryMiddleware:
    """Absolute expiry of a session (idle expiry is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
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
