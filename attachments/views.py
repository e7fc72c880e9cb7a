from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parcours.services import author_label
from profiles.decorators import establishment_required

from .models import Attachment, QuestionTemplate
from .services import (
    MEGABYTE,
    attachment_for_user,
    delete_attachments,
    limits_text,
    used_bytes,
)

# A downloaded document is never rendered as a page of this site.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
# The largest primary key (BigAutoField); a posted id beyond it cannot exist.
MAX_ID = 2**63 - 1


@establishment_required
def index(request):
    """ "Mes pièces jointes": every document, grouped by step and question, newest first."""
    attachments = list(
        Attachment.objects.filter(establishment=request.establishment)
        .select_related("question__block__step", "uploaded_by")
        .order_by(
            "question__block__step__number",
            "question__block__order",
            "question__order",
            "question_id",
            "-uploaded_at",
            "-pk",
        )
    )
    establishment = request.establishment
    for attachment in attachments:
        attachment.depositor = author_label(attachment.uploaded_by, establishment)
    steps = []
    for step, in_step in groupby(attachments, key=lambda a: a.question.block.step):
        questions = [
            (question, list(documents))
            for question, documents in groupby(in_step, key=lambda a: a.question)
        ]
        steps.append((step, questions))
    used = used_bytes(request.establishment)
    return render(
        request,
        "attachments/index.html",
        {
            "steps": steps,
            "limits": limits_text(),
            "used": used,
            "quota": settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE,
            "used_percent": min(
                100, round(100 * used / (settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE))
            ),
        },
    )


def private_file_response(field_file, filename, content_type):
    """A stored file sent as a download under its original name, never rendered."""
    try:
        stream = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Ce fichier n'est plus disponible.") from error
    response = FileResponse(
        stream, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def download(request, pk):
    """A document, for the establishment, its representatives, its caisse, the national team."""
    attachment = attachment_for_user(request.user, pk)
    if attachment is None:
        raise Http404("Pièce jointe introuvable.")
    return private_file_response(attachment.file, attachment.original_name, attachment.content_type)


def download_template(request, pk):
    """A template offered on a question (any signed-in user)."""
    template = get_object_or_404(QuestionTemplate, pk=pk)
    return private_file_response(template.file, template.filename, "application/octet-stream")


def next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("attachments:index")


@require_POST
@establishment_required
def delete(request):
    """Delete a selection of the establishment's documents, after a confirmation.

    Reached from "Mes pièces jointes" and from a step page (its "Supprimer la
    sélection" button posts the step form here). Without `confirm`, the
    selection is shown again for confirmation; a script asks in the page
    instead when JavaScript runs. Someone else's id is a 404 and deletes nothing.
    """
    back = next_url(request)
    raw_ids = request.POST.getlist("delete")
    if not raw_ids:
        messages.warning(request, "Aucune pièce jointe n'est sélectionnée.")
        return redirect(back)
    try:
        ids = {int(pk) for pk in raw_ids}
    except ValueError as error:
        raise Http404("Pièce jointe introuvable.") from error
    if not all(0 < pk <= MAX_ID for pk in ids):  # the database would overflow: a 500
        raise Http404("Pièce jointe introuvable.")
    selection = list(
        Attachment.objects.filter(establishment=request.establishment, pk__in=ids).select_related(
            "question"
        )
    )
    if len(selection) != len(ids):
        raise Http404("Pièce jointe introuvable.")
    if request.POST.get("confirm") != "1":
        return render(
            request, "attachments/confirm_delete.html", {"selection": selection, "next": back}
        )
    try:
        names = delete_attachments(establishment=request.establishment, ids=ids, by=request.user)
    except Attachment.DoesNotExist as error:  # deleted meanwhile by another tab
        raise Http404("Pièce jointe introuvable.") from error
    if len(names) == 1:
        messages.success(request, f"La pièce jointe « {names[0]} » a été supprimée.")
    else:
        messages.success(request, f"{len(names)} pièces jointes ont été supprimées.")
    return redirect(back)
