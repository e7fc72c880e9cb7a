"""The e-mails of the parcours app, one function each."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
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


@transaction.atomic
def notify_step_completed(*, progress_id: int, passage: int) -> bool:
    """Tell the préventeur that a step became complete, once per passage.

    `passage` is the progress's completion_count when the save happened. The
    row is locked and notified_count moves in the same transaction as the
    outbox row, so a task run twice (or two tasks for the same passage) sends
    one e-mail. Returns True when an e-mail was queued now.
    """
    progress = (
        StepProgress.objects.select_for_update(of=("self",))
        .select_related("step", "establishment__caisse", "establishment__preventeur")
        .filter(pk=progress_id)
        .first()
    )
    if progress is None or progress.notified_count >= passage:
        return False
    establishment = progress.establishment
    recipient = step_completed_recipient(establishment)
    if not recipient:
        logger.warning(
            "Parcours: step %s of %s complete, but no préventeur nor caisse address to tell",
            progress.step.number,
            establishment.siret,
        )
        # Settled, not retried every few minutes for ever (19 caisses start without an address).
        progress.notified_count = passage
        progress.save(update_fields=["notified_count"])
        return False
    send_templated_email(
        template="step_completed",
        to=[recipient],
        reply_to=[establishment.head_email] if establishment.head_email else None,
        context={
            "establishment": establishment,
            "step": progress.step,
            "progress": progress,
            "passage": passage,
            "back_office_url": settings.SITE_URL
            + reverse("admin:parcours_stepprogress_change", args=[progress.pk]),
        },
    )
    progress.notified_count = passage
    progress.save(update_fields=["notified_count"])
    return True
