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
            + reverse("admin:profiles_establishment_follow", args=[establishment.pk])
            + f"#etape-{progress.step.number}",
        },
    )


# --- To the establishment ---------------------------------------------------------


def establishment_address(establishment) -> str:
    """Where the progress e-mails go: the head's address of "Mon profil" ("Les
    récapitulatifs de progression seront envoyés à cette adresse email"), or
    else the address of the establishment's own account."""
    if establishment.head_email:
        return establishment.head_email
    account = establishment.account
    return account.email if account is not None else ""


def _to_establishment(template, progress, **context) -> None:
    establishment = progress.establishment
    recipient = establishment_address(establishment)
    if not recipient:
        logger.warning("Parcours: no address to tell %s (%s)", establishment.siret, template)
        return
    send_templated_email(
        template=template,
        to=[recipient],
        context={
            "establishment": establishment,
            "step": progress.step,
            "progress": progress,
            "step_url": settings.SITE_URL + progress.step.get_absolute_url(),
            **context,
        },
    )


def step_validated(progress: StepProgress) -> None:
    _to_establishment("step_validated", progress)


def step_sent_back(progress: StepProgress) -> None:
    _to_establishment("step_sent_back", progress, message=progress.sent_back_message)


def step_validation_withdrawn(progress: StepProgress, *, reason: str) -> None:
    _to_establishment("step_validation_withdrawn", progress, reason=reason)


def caisse_commented(progress: StepProgress, *, comments: list) -> None:
    """One e-mail per save of the caisse's comments, naming each block and quoting it."""
    _to_establishment("caisse_comments", progress, comments=comments)


def representatives_wrote(progress: StepProgress, *, comments: list, seen: bool, by) -> None:
    """One e-mail per save of a representative: their comments, and the "vue" mark."""
    _to_establishment(
        "representatives_wrote",
        progress,
        comments=comments,
        seen=seen,
        author=by.get_full_name() or by.username,
    )
