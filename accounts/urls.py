from allauth.account import urls as allauth_account_urls
from allauth.mfa import urls as allauth_mfa_urls
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_http_methods

from . import views

# allauth's form views also process PUT (Django's FormView): only what a page serves.
page_methods = require_http_methods(["GET", "HEAD", "POST"])


def _only_page_methods(patterns):
    """allauth's URL patterns, each view answering 405 to other methods."""
    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            wrapped.append(
                URLResolver(
                    pattern.pattern,
                    _only_page_methods(pattern.url_patterns),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        else:
            wrapped.append(
                URLPattern(
                    pattern.pattern, page_methods(pattern.callback), pattern.default_args, pattern.name
                )
            )
    return wrapped


urlpatterns = [
    path("", views.account, name="account"),
    path("activer/<uidb36>/<token>/", views.activate, name="account_activate"),
    path("email/", page_methods(views.email), name="account_email"),
    # The second factor of staff accounts (TOTP and recovery codes).
    path("2fa/", include(_only_page_methods(allauth_mfa_urls.urlpatterns))),
    path("", include(_only_page_methods(allauth_account_urls.urlpatterns))),
]
