from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from outbox.services import queue_email


class AccountAdapter(DefaultAccountAdapter):
    """allauth, the portal's way: closed signup, e-mails through the outbox."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        from allauth.core import context as allauth_context

        context = {
            "request": allauth_context.request,
            "email": email,
            "site_url": settings.SITE_URL,
            **context,
        }
        queue_email(self.render_mail(template_prefix, email, context))

    # Absolute links in e-mails come from SITE_URL, never from the Host header.
    def get_reset_password_from_key_url(self, key):
        from django.urls import reverse

        return settings.SITE_URL + reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": key.split("-", 1)[0], "key": key.split("-", 1)[1]},
        )

    def get_email_confirmation_url(self, request, emailconfirmation):
        from django.urls import reverse

        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def format_email_subject(self, subject):
        return subject
