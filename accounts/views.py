from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk
from allauth.account.views import email as allauth_email_view
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import SetPasswordForm
from .models import User

ACTIVATION_SESSION_KEY = "_activation_token"


def account(request):
    """ "Mon compte": password, e-mail, and "Mes derniers événements"."""
    events = request.user.events.all()[:20]
    return render(request, "account/account.html", {"events": events})


def email(request):
    """allauth's e-mail change, once the current address is known to allauth."""
    user = request.user
    if user.email and not EmailAddress.objects.filter(user=user).exists():
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return allauth_email_view(request)


def _user_from_uidb36(uidb36):
    try:
        return User.objects.get(pk=url_str_to_user_pk(uidb36), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None


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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Votre compte est activé. Bienvenue sur TMS Pros.")
        return redirect("home")
    return render(request, "account/activate.html", {"form": form, "identifier": user.username})
