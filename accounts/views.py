from allauth.account import views as allauth_email_views
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from . import services
from .forms import AddEmailForm, SetPasswordForm
from .models import User

ACTIVATION_SESSION_KEY = "_activation_token"


@require_safe
def account(request):
    """ "Mon compte": password, e-mail, and "Mes derniers événements"."""
    events = request.user.events.all()[:20]
    return render(request, "account/account.html", {"events": events})


class EmailChangeView(allauth_email_views.EmailView):
    """allauth's e-mail change, once the account's current address is known to allauth.

    The address set by operations is the account's: allauth must hold it verified and
    primary, otherwise it would show it as a pending change and nobody would tell the
    old address when the change is confirmed.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _sync_current_address(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return AddEmailForm


email = EmailChangeView.as_view()


@transaction.atomic  # it may run on a GET, outside the request's transaction
def _sync_current_address(user) -> None:
    if not user.email:
        return
    current = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if current is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    elif not (current.verified and current.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=current.pk).update(
            primary=False
        )
        current.verified = current.primary = True
        current.save(update_fields=["verified", "primary"])


def _user_from_uidb36(uidb36):
    try:
        return User.objects.get(pk=url_str_to_user_pk(uidb36), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def activate(request, uidb36, token):
    """The activation link: choose a password, once, within the validity."""
    # The token leaves the address bar (and the Referer) at once: kept in the session.
    if token != "choisir":
        request.session[ACTIVATION_SESSION_KEY] = token
        return redirect("account_activate", uidb36=uidb36, token="choisir")
    user = _user_from_uidb36(uidb36)
    session_token = request.session.get(ACTIVATION_SESSION_KEY, "")
    if user is None or not services.activation_token_generator.check_token(user, session_token):
        return render(request, "account/activate.html", {"token_fail": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if form.is_valid():
        services.activate_account(
            user=user, password=form.cleaned_data["password1"], request=request
        )
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        # The password just chosen counts as typed: a staff member goes on to
        # set up their second factor without being asked for it again.
        record_authentication(request, user, method="password")
        messages.success(request, "Votre compte est activé. Bienvenue sur TMS Pros.")
        return redirect("home")
    return render(request, "account/activate.html", {"form": form, "identifier": user.username})
