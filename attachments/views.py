"""Downloads: a document for whoever may see its establishment, a template for anyone signed in."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import QuestionTemplate
from .services import attachment_for_user, storage_errors

logger = logging.getLogger(__name__)

# A downloaded document is never rendered as a page of this site.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


STORAGE_UNAVAILABLE = "Le stockage des documents ne répond pas pour le moment."


def private_file_response(request, field_file, filename, content_type):
    """A stored file sent as a download under its original name, never rendered.

    A missing file is a 404; a storage that does not answer (the object
    storage down) is a 503 page in the portal's layout, never a 500."""
    stream = None
    try:
        stream = field_file.open("rb")
        # FileResponse reads the size (on S3, the object is fetched here).
        response = FileResponse(
            stream, as_attachment=True, filename=filename, content_type=content_type
        )
    except FileNotFoundError as error:
        raise Http404("Ce fichier n'est plus disponible.") from error
    except storage_errors():
        logger.exception("Storage unavailable while opening %s", field_file.name)
        if stream is not None:
            stream.close()
        return render(request, "503.html", {"reason": STORAGE_UNAVAILABLE}, status=503)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def download(request, pk):
    """A document, for the establishment, its representatives, its caisse, the national team."""
    attachment = attachment_for_user(request.user, pk)
    if attachment is None:
        raise Http404("Pièce jointe introuvable.")
    return private_file_response(
        request, attachment.file, attachment.original_name, attachment.content_type
    )


@require_safe
def download_template(request, pk):
    """A template offered on a question (any signed-in user)."""
    template = get_object_or_404(QuestionTemplate, pk=pk)
    return private_file_response(
        request, template.file, template.filename, "application/octet-stream"
    )
