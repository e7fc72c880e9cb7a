from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse
from django.utils.html import format_html

from profiles.admin import CaisseScopedMixin

from .models import Attachment, QuestionTemplate
from .services import inspect_upload
from .validators import clean_filename


@admin.register(Attachment)
class AttachmentAdmin(CaisseScopedMixin, admin.ModelAdmin):
    """Read-only: documents are deposited and deleted by the establishment itself."""

    list_display = ["original_name", "establishment", "question", "size", "uploaded_at", "download"]
    list_filter = ["question__block__step", "establishment__caisse"]
    search_fields = ["original_name", "description", "establishment__name", "establishment__siret"]
    list_select_related = ["establishment", "question"]
    date_hierarchy = "uploaded_at"
    fields = ["establishment", "question", "original_name", "description", "size", "content_type",
              "uploaded_by", "uploaded_at", "download"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="fichier")
    def download(self, obj):
        return format_html(
            '<a href="{}">Télécharger</a>', reverse("attachments:download", args=[obj.pk])
        )


class StoredFileLink:
    """What the admin's file input shows of the current file: its name, the download view."""

    def __init__(self, url, name):
        self.url, self.name = url, name

    def __str__(self):
        return self.name


class DownloadViewFileWidget(AdminFileWidget):
    """The current file links to the portal's download view, never to the storage's own
    URL (an object storage's signed URL would skip the access check and the download
    headers; the disk has no URL at all)."""

    link = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.link is not None:
            context["widget"]["value"] = self.link
        return context


class QuestionTemplateForm(forms.ModelForm):
    class Meta:
        model = QuestionTemplate
        fields = ["question", "label", "file", "filename", "order"]
        widgets = {"file": DownloadViewFileWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.file:
            self.fields["file"].widget.link = StoredFileLink(
                reverse("attachments:template", args=[self.instance.pk]), self.instance.filename
            )
        self.fields["filename"].required = False
        self.fields["filename"].help_text = "Par défaut, le nom du fichier envoyé."

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload
            inspect_upload(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        uploaded = cleaned.get("file")
        name = cleaned.get("filename") or getattr(uploaded, "name", "")
        cleaned["filename"] = clean_filename(name)
        return cleaned


@admin.register(QuestionTemplate)
class QuestionTemplateAdmin(admin.ModelAdmin):
    form = QuestionTemplateForm
    list_display = ["label", "filename", "question", "order"]
    list_select_related = ["question"]
    search_fields = ["label", "filename", "question__code"]
