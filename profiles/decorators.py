from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .middleware import has_chosen

PROFILE_REQUIRED_MESSAGE = (
    "La mise à jour du profil est nécessaire afin d'accéder au parcours. "
    "Tant que le profil n'est pas mis à jour, le parcours n'est pas accessible."
)


def establishment_required(view_func):
    """The view is a member's: request.establishment is set (by
    profiles.middleware.CurrentEstablishmentMiddleware), others get a 404."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "establishment", None) is None:
            raise Http404("Cette page est réservée aux établissements.")
        if len(request.memberships) > 1 and not has_chosen(request):
            # Several establishments: the person says which one they act for first.
            return redirect(f"{reverse('profiles:choose')}?{urlencode({'next': request.get_full_path()})}")
        return view_func(request, *args, **kwargs)

    return wrapper


def profile_required(view_func):
    """The gate of "Mon parcours": closed until "Mon profil" is complete."""

    @establishment_required
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.establishment.is_profile_complete:
            messages.warning(request, PROFILE_REQUIRED_MESSAGE)
            return redirect("profiles:profile")
        return view_func(request, *args, **kwargs)

    return wrapper
