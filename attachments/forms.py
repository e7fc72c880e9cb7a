"""Form fields for documents: the same content checks wherever a file is sent."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from .services import inspect_upload


@dataclass
class CheckedFile:
    """An uploaded file that passed the checks (content, size, antivirus)."""

    file: object
    name: str
    content_type: str
    pending: object = None  # a PendingUpload: a file kept from a form refused before


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once; each is checked whole, every refusal is reported.

    Cleans to a list of CheckedFile (empty when nothing was sent), followed by
    the files kept from a form refused before (`pending`, set by the form from
    what it posts back). `accepted` holds the files that passed the checks,
    also when another file of the same field was refused: a form refused for
    another reason can keep them (services.keep_pending).
    """

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.pending = []  # PendingUpload rows shown "prêt à être enregistré"
        self.accepted = []

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        checked, errors = [], []
        for uploaded in files:
            if not hasattr(uploaded, "size"):  # a text value posted in place of a file
                errors.append(self.error_messages["invalid"])
                continue
            try:
                name, content_type = inspect_upload(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            checked.append(CheckedFile(file=uploaded, name=name, content_type=content_type))
        self.accepted = checked
        if errors:
            raise ValidationError(errors)
        checked = checked + [
            CheckedFile(
                file=pending.file,
                name=pending.original_name,
                content_type=pending.content_type,
                pending=pending,
            )
            for pending in self.pending
        ]
        if self.required and not checked:
            raise ValidationError(self.error_messages["required"], code="required")
        return checked
