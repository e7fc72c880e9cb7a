"""The e-mails of the parcours app, one function each."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from outbox.services import send_templated_email

from .models import StepProgress

logger = logging.getLogger(__name__)


def preventeur_address(preventeur) -> str:
    """A préventeur's address: the e-mail field, or the identifier when it is one.

    Préventeurs sign in with their e-mail address; an account whose e-mail
    field was left empty (the demo's, one created by hand in the admin) must
    still be told rather than silently replaced by the caisse's mailbox.
    """
    if preventeur.email:
        return preventeur.email
    try:
        validate_email(preventeur.username)
    except ValidationError:
        return ""
    return preventeur.username


def step_completed_recipient(establishment) -> str:
    """The establishment's préventeur, or else its caisse's contact address."""
    preventeur = establishment.preventeur
    if preventeur is not None:
        address = preventeur_address(preventeur)
        if address:
            return address
    return establishment.caisse.email


def step_completed(progress: StepProgress) -> None:
    """Tell the préventeur that a step became complete: called once per passage.

    Called by the service that completes the step, inside its transaction:
    the e-mail is an outbox row committed (or rolled back) with the passage.
    With no préventeur nor caisse address, the passage is logged and nothing
    is sent.
    """
    establishment = progress.establishment
    recipient = step_completed_recipient(establishment)
    if not recipient:
        logger.warning(
            "Parcours: step %s of %s complete, but no préventeur nor caisse address to tell",
            progress.step.number,
            establishment.siret,
        )
        return
    send_templated_email(
        template="step_completed",
        to=[recipient],
        reply_to=[establishment.head_email] if establishment.head_email else None,
        context={
            "establishment": establishment,
            "step": progress.step,
            "progress": progress,
            "back_office_url": settings.SITE_URL
            + reverse("admin:parcours_stepprogress_change", args=[progress.pk]),
        },
    )
