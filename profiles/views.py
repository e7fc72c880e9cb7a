from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import raise_if_reauthentication_required
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from news.views import home_news

from . import representatives, services
from .decorators import establishment_required
from .forms import InvitationForm, InvitationPasswordForm, ProfileForm, profile_form_helper
from .middleware import CURRENT_ESTABLISHMENT_KEY, has_chosen
from .models import Invitation, Membership
from .permissions import Action


@require_safe
def home(request):
    """The establishment's home page; staff are pointed to the administration."""
    if len(request.memberships) > 1 and not has_chosen(request):
        return redirect("profiles:choose")
    establishment = request.establishment
    if establishment is None:
        template = (
            "profiles/staff_home.html"
            if request.user.is_staff
            else "profiles/no_establishment.html"
        )
        return render(request, template)
    from parcours.models import Step  # the parcours app adds the states of the steps

    steps = list(Step.objects.order_by("number"))
    return render(
        request,
        "profiles/home.html",
        {
            "establishment": establishment,
            "caisse": establishment.caisse,
            "preventeur": establishment.preventeur,
            "steps": steps,
            **home_news(request),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """ "Mon profil": always the logged-in establishment's own (no id in the URL)."""
    if request.establishment is None:
        # A préventeur following the menu: no establishment of their own, nothing to hide.
        messages.info(request, "« Mon profil » est la page des établissements.")
        return redirect("home")
    if Action.EDIT_PROFILE not in request.permissions:
        # A staff representative reads the space; the establishment keeps its profile.
        messages.info(request, "« Mon profil » est renseigné par l'établissement.")
        return redirect("home")
    return _establishment_profile(request)


@establishment_required
def _establishment_profile(request):
    establishment = request.establishment
    was_complete = establishment.is_profile_complete
    had_head_email = bool(establishment.head_email)
    form = ProfileForm(request.POST or None, instance=establishment)
    if form.is_valid():
        if had_head_email and "head_email" in form.changed_data:
            # That address receives the account's password resets ("Mot de passe
            # oublié ?"): changing it asks for the password again, as changing the
            # account's own address does; the form is then saved as it was sent.
            raise_if_reauthentication_required(request, app="allauth.account")
        establishment = form.save(commit=False)
        establishment.profile_updated_at = timezone.now()
        establishment.save()
        if was_complete:
            messages.success(request, "Votre profil a été enregistré.")
        else:
            messages.success(
                request,
                "Votre profil a été enregistré. Il est complet : "
                "vous pouvez maintenant accéder à votre parcours.",
            )
        return redirect("profiles:profile")
    if form.is_bound:
        messages.error(request, "Le profil n'a pas été enregistré : corrigez les champs signalés.")
    return _render_profile(request, form, was_complete=was_complete)


def _render_profile(request, form, *, was_complete, invitation_form=None):
    return render(
        request,
        "profiles/profile.html",
        {
            "establishment": request.establishment,
            "form": form,
            "helper": profile_form_helper(),
            "was_complete": was_complete,
            **representatives.section(request, invitation_form),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def choose_establishment(request):
    """A person with several establishments chooses the one they act for.

    Switching is a POST that re-checks the membership: an establishment one
    has no active membership of is refused (404), as a missing one.
    """
    if request.method == "POST":
        try:
            wanted = int(request.POST.get("establishment", ""))
        except ValueError:
            raise Http404("Établissement introuvable.") from None
        membership = next((m for m in request.memberships if m.establishment_id == wanted), None)
        if membership is None:
            raise Http404("Établissement introuvable.")
        request.session[CURRENT_ESTABLISHMENT_KEY] = membership.establishment_id
        messages.success(request, f"Vous agissez maintenant pour {membership.establishment.name}.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home")
        return redirect(target)
    if not request.memberships:
        return redirect("home")
    return render(
        request,
        "profiles/choose_establishment.html",
        {
            "memberships": request.memberships,
            "current": request.membership if has_chosen(request) else None,
            "next": request.GET.get("next", ""),
        },
    )


# --- "Représentants du personnel" (a section of "Mon profil") ----------------------
def _representatives_of_my_establishment(request):
    """The section's actions are the establishment's own account's (403 for anyone
    else who acts for it); the objects are then looked up in its establishment only."""
    if Action.INVITE_REPRESENTATIVES not in request.permissions:
        raise PermissionDenied("Seul l'établissement gère ses représentants du personnel.")
    return request.establishment


def _back_to_representatives():
    # The page's top, where the confirmation (or the error) is shown.
    return redirect(reverse("profiles:profile"))


@require_POST
@establishment_required
def invite_representative(request):
    establishment = _representatives_of_my_establishment(request)
    if not establishment.has_staff_representative:
        messages.error(
            request,
            "Votre profil indique que l'établissement n'a pas de représentant du personnel.",
        )
        return _back_to_representatives()
    form = InvitationForm(establishment, request.POST)
    if form.is_valid():
        invitation = services.invite_representative(
            establishment=establishment, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"L'invitation a été envoyée à {invitation.email}.")
        return _back_to_representatives()
    messages.error(request, "L'invitation n'a pas été envoyée : corrigez les champs signalés.")
    return _render_profile(
        request,
        ProfileForm(instance=establishment),
        was_complete=establishment.is_profile_complete,
        invitation_form=form,
    )


@require_POST
@establishment_required
def resend_invitation(request, pk):
    establishment = _representatives_of_my_establishment(request)
    invitation = get_object_or_404(Invitation, pk=pk, establishment=establishment)
    try:
        services.resend_invitation(invitation=invitation)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"L'invitation a été renvoyée à {invitation.email} ; "
            "le lien de l'envoi précédent ne fonctionne plus.",
        )
    return _back_to_representatives()


@require_POST
@establishment_required
def withdraw_invitation(request, pk):
    establishment = _representatives_of_my_establishment(request)
    invitation = get_object_or_404(Invitation, pk=pk, establishment=establishment)
    try:
        services.withdraw_invitation(invitation=invitation, by=request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'invitation de {invitation.full_name} a été retirée.")
    return _back_to_representatives()


@require_POST
@establishment_required
def withdraw_representative(request, pk):
    establishment = _representatives_of_my_establishment(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=pk,
        establishment=establishment,
        role=Membership.Role.REPRESENTATIVE,
        is_active=True,
    )
    services.withdraw_representative(membership=membership, by=request.user)
    messages.success(
        request,
        f"{membership.user.get_full_name() or membership.user.username} n'a plus accès "
        "à l'espace de l'établissement. Ses commentaires restent visibles.",
    )
    return _back_to_representatives()


@require_http_methods(["GET", "HEAD", "POST"])
@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    """The link of the invitation e-mail: for the invited address only, once.

    No account yet: choose a password, the account is created and logged in.
    An account already (a representative elsewhere): log in with it, then accept.
    """
    invitation = Invitation.objects.select_related("establishment").filter(token=token).first()
    problem = representatives.invitation_problem(invitation) or (
        services.invitable_account_error(invitation.email)
    )
    if problem:
        return _invitation_page(request, invitation, status=400, problem=problem)
    account = User.objects.filter(username=invitation.email).first()
    user = request.user if request.user.is_authenticated else None
    if user is not None and user != account:
        return _invitation_page(request, invitation, status=403, wrong_account=user)
    if account is not None and user is None:
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return _invitation_page(request, invitation, login_url=login_url)
    form = None if account else InvitationPasswordForm(invitation, request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.accept_invitation(
                invitation=invitation,
                user=account,
                password=form.cleaned_data["password1"] if form else "",
                request=request,
            )
        except services.InvitationError as error:
            return _invitation_page(request, invitation, status=400, problem=str(error))
        if account is None:
            login(
                request,
                membership.user,
                backend="allauth.account.auth_backends.AuthenticationBackend",
            )
            record_authentication(request, membership.user, method="password")
        request.session[CURRENT_ESTABLISHMENT_KEY] = membership.establishment_id
        messages.success(
            request,
            f"Bienvenue sur TMS Pros : vous suivez maintenant {membership.establishment.name} "
            f"en tant que représentant du personnel ({membership.get_mandate_display()}).",
        )
        return redirect("home")
    return _invitation_page(request, invitation, form=form)


def _invitation_page(request, invitation, *, status=200, **context):
    context = {
        "invitation": invitation,
        "problem": "",
        "wrong_account": None,
        "login_url": "",
        "form": None,
        **context,
    }
    return render(request, "profiles/invitation.html", context, status=status)
