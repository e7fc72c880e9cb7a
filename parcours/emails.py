"""The e-mails of the parcours app, one function each."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from outbox.services import send_templated_email

from .models import StepProgress

logger = logging.getLogger(__name__)


def step_completed_recipient(establishment) -> str:
    """The establishment's préventeur, or else its caisse's contact address."""
    preventeur = establishment.preventeur
    if preventeur is not None and preventeur.email:
        return preventeur.email
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
