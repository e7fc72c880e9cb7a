from django.conf import settings
from django.core.checks import Tags, Warning, register

PROXY_COUNT_HINT = (
    "Behind a reverse proxy or a load balancer, set TRUSTED_PROXY_COUNT to the number of "
    "proxies that add an X-Forwarded-For entry (README.md, Production): with 0, the rate "
    "limits count every user under the proxy's one address."
)


@register(Tags.security, deploy=True)
def check_trusted_proxy_count(app_configs, **kwargs):
    """Production runs behind a proxy (SECURE_PROXY_SSL_HEADER is set): the
    count of trusted proxies must be said, or every login shares one limit."""
    if settings.ALLAUTH_TRUSTED_PROXY_COUNT or not getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        return []
    return [
        Warning(
            "TRUSTED_PROXY_COUNT is 0 while the portal expects a proxy in front of it.",
            hint=PROXY_COUNT_HINT,
            id="accounts.W001",
        )
    ]
