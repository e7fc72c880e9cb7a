from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_BACKENDS = {
    "outbox.backends.ReadableConsoleBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register(Tags.mail, deploy=True)
def check_delivery_mailer(app_configs, **kwargs):
    """Django's own deploy check looks at the default mailer, which is the outbox:
    the one that must really send in production is "delivery" (EMAIL_URL)."""
    from .services import DELIVERY_MAILER

    backend = settings.MAILERS.get(DELIVERY_MAILER, {}).get("BACKEND", "")
    if backend not in DEVELOPMENT_BACKENDS:
        return []
    return [
        Error(
            f"The {DELIVERY_MAILER!r} mailer uses a development-only backend ({backend}).",
            hint="Set EMAIL_URL to the SMTP server (see README.md, Configuration).",
            id="outbox.E001",
        )
    ]
