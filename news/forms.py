import unicodedata
from dataclasses import dataclass
from functools import partial

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from attachments.services import discard_stored_files, inspect_upload
from profiles.models import Caisse
from tmspros.text import FreeTextField

from .models import IMAGE_TYPES, Document, NewsItem, concerning

# --- The portal: "Filtrer par région" -----------------------------------------


def alphabetical(text: str) -> str:
    """Alphabetical order as a reader expects it ("Île-de-France" among the I)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class RegionFilterForm(forms.Form):
    """The news a reader asked for, from the GET parameter `region`.

    "Toutes" (the default, empty value): what concerns the reader (national
    items and their caisse's); "Nationales": national items only; a region:
    the published items of that caisse. An unknown value counts as "Toutes".
    """

    ALL = ""
    NATIONAL = "nationales"

    region = forms.ChoiceField(
        label="Filtrer par région",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, request):
        super().__init__({"region": request.GET.get("region", self.ALL)})
        self.request = request
        caisses = sorted(Caisse.objects.all(), key=lambda caisse: alphabetical(caisse.region))
        self.fields["region"].choices = [
            (self.ALL, "Toutes"),
            (self.NATIONAL, "Nationales"),
            *((caisse.code, caisse.region) for caisse in caisses),
        ]

    @property
    def choice(self) -> str:
        return self.cleaned_data["region"] if self.is_valid() else self.ALL

    def news(self):
        items = NewsItem.objects.on_portal().select_related("caisse")
        if self.choice == self.ALL:
            return items.filter(concerning(self.request))
        if self.choice == self.NATIONAL:
            return items.filter(caisse__isnull=True)
        return items.filter(caisse__code=self.choice)


# --- The admin: uploads checked as the establishments' documents -----------------


@dataclass(frozen=True)
class StoredFile:
    """A stored file as the admin shows it: its original name, its portal link."""

    name: str
    url: str

    def __str__(self):
        return self.name


class StoredFileInput(AdminFileWidget):
    """The admin's file input, naming the current file by its original name
    (the stored one is a random name, and there is no public media URL)."""

    stored: StoredFile | None = None
    # A <label for> on the file input ("Image", "Document joint"), not a fieldset legend.
    use_fieldset = False

    def format_value(self, value):
        if self.is_initial(value) and self.stored:
            return self.stored
        return super().format_value(value)


def is_new_upload(value) -> bool:
    return bool(value) and hasattr(value, "content_type")


class CheckedFilesForm(forms.ModelForm):
    """Uploads go through the same content checks as the establishments' documents
    (attachments.services.inspect_upload); a replaced or cleared file is
    removed from the storage once the change is committed."""

    file_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_names = {name: getattr(self.instance, name).name for name in self.file_fields}
        for name in self.file_fields:
            if self.stored_names[name] and self.instance.pk:
                self.fields[name].widget.stored = self.stored_file(name)

    def stored_file(self, field_name) -> StoredFile:
        raise NotImplementedError

    def checked(self, field_name):
        """(clean name, content type, size) of a new upload in `field_name`, or None."""
        uploaded = self.cleaned_data[field_name]
        if not is_new_upload(uploaded):
            return None
        name, content_type = inspect_upload(uploaded)
        return name, content_type, uploaded.size

    def save(self, commit=True):
        replaced = [
            stored
            for name, stored in self.stored_names.items()
            if stored and name in self.changed_data
        ]
        if replaced:
            transaction.on_commit(partial(discard_stored_files, replaced))
        return super().save(commit)


class NewsItemForm(CheckedFilesForm):
    file_fields = ("image", "document")

    class Meta:
        model = NewsItem
        fields = ["title", "summary", "body", "caisse", "published_at", "is_published",
                  "image", "image_alt", "document"]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "image": StoredFileInput,
            "document": StoredFileInput,
        }
        # Without control or invisible characters (tmspros.text); the body is
        # also cleaned of unsafe HTML (news.formatting).
        field_classes = dict.fromkeys(["title", "summary", "body", "image_alt"], FreeTextField)

    def stored_file(self, field_name):
        if field_name == "image":
            return StoredFile("Image actuelle", reverse("news:image", args=[self.instance.pk]))
        return StoredFile(
            self.instance.document_name, reverse("news:document", args=[self.instance.pk])
        )

    def clean_image(self):
        checked = self.checked("image")
        if checked:
            name, content_type, _size = checked
            if content_type not in IMAGE_TYPES:
                raise ValidationError(f"« {name} » : l'image doit être au format JPEG ou PNG.")
            self.instance.image_type = content_type
        return self.cleaned_data["image"]

    def clean_document(self):
        checked = self.checked("document")
        if checked:
            name, content_type, size = checked
            self.instance.document_name = name
            self.instance.document_type = content_type
            self.instance.document_size = size
        return self.cleaned_data["document"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt",
                "Décrivez ce que montre l'image, pour les personnes qui ne la voient pas.",
            )
        return cleaned


class DocumentForm(CheckedFilesForm):
    file_fields = ("file",)

    class Meta:
        model = Document
        fields = ["title", "description", "category", "file", "date", "caisse"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "file": StoredFileInput}
        field_classes = dict.fromkeys(["title", "description"], FreeTextField)

    def stored_file(self, field_name):
        return StoredFile(
            self.instance.filename, reverse("news:document_download", args=[self.instance.pk])
        )

    def clean_file(self):
        checked = self.checked("file")
        if checked:
            name, content_type, size = checked
            self.instance.filename = name
            self.instance.content_type = content_type
            self.instance.size = size
        return self.cleaned_data["file"]
