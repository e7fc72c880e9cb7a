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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once; each is checked whole, every refusal is reported.

    Cleans to a list of CheckedFile (empty when nothing was sent).
    """

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

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
        if errors:
            raise ValidationError(errors)
        if self.required and not checked:
            raise ValidationError(self.error_messages["required"], code="required")
        return checked
