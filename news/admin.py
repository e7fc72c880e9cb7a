"""Who writes what: the national team everything; a préventeur their caisse's news and documents.

A préventeur's lists show the national content (read-only: they see what
their establishments read) and their caisse's (editable); the "Portée"
field offers their caisse only, and a forged POST with "Nationale" or
another caisse is refused by the form, and by save_model behind it. The
help (themes, questions/answers) is the national team's alone.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from profiles.models import Caisse

from .forms import DocumentForm, NewsItemForm
from .models import Document, HelpQuestion, HelpTheme, NewsItem, may_write


def writable_caisses(user):
    if user.is_national:
        return Caisse.objects.order_by("name")
    if user.is_preventeur and user.caisse_id:
        return Caisse.objects.filter(pk=user.caisse_id)
    return Caisse.objects.none()


class ScopeFilter(admin.SimpleListFilter):
    title = "portée"
    parameter_name = "portee"
    NATIONAL = "nationale"

    def lookups(self, request, model_admin):
        return [(self.NATIONAL, "Nationale")] + [
            (str(caisse.pk), caisse.name) for caisse in writable_caisses(request.user)
        ]

    def queryset(self, request, queryset):
        if self.value() == self.NATIONAL:
            return queryset.filter(caisse__isnull=True)
        if self.value():
            return queryset.filter(caisse_id=self.value())
        return queryset


class EditorialScopeMixin:
    """The admin of scoped content (news, documentation), on news.models.may_write."""

    list_select_related = ["caisse"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_admin_of(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_write(request.user, obj.caisse_id))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_write(request.user, obj.caisse_id))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "caisse":
            kwargs["queryset"] = writable_caisses(request.user)
            if request.user.is_national:
                kwargs["empty_label"] = "Nationale"
            else:
                refused = "Vous publiez pour votre caisse uniquement."
                kwargs.update(
                    empty_label=None,
                    required=True,
                    error_messages={"required": refused, "invalid_choice": refused},
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not may_write(request.user, obj.caisse_id):  # the form refused it already
            raise PermissionDenied
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="portée", ordering="caisse__name")
    def scope(self, obj):
        return obj.scope_label


@admin.register(NewsItem)
class NewsItemAdmin(EditorialScopeMixin, admin.ModelAdmin):
    form = NewsItemForm
    list_display = ["title", "scope", "published_at", "state", "created_by"]
    list_select_related = ["caisse", "created_by"]
    list_filter = [ScopeFilter, "is_published"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_at"
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        ("Publication", {"fields": ["caisse", "published_at", "is_published"]}),
        ("Image et document", {"fields": ["image", "image_alt", "document"]}),
    ]

    @admin.display(description="état")
    def state(self, obj):
        if not obj.is_published:
            return "Brouillon"
        return "En ligne" if obj.is_on_portal else "Programmée"

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_on_portal else None


@admin.register(Document)
class DocumentAdmin(EditorialScopeMixin, admin.ModelAdmin):
    form = DocumentForm
    list_display = ["title", "category", "scope", "date", "filename", "download"]
    list_filter = [ScopeFilter, "category"]
    search_fields = ["title", "description", "filename"]
    fields = ["title", "description", "category", "file", "date", "caisse"]

    @admin.display(description="fichier")
    def download(self, obj):
        return format_html(
            '<a href="{}">Télécharger</a>', reverse("news:document_download", args=[obj.pk])
        )


class NationalTeamWritesMixin:
    """The help is written by the national team; others may at most read it here."""

    def has_add_permission(self, request, *args):
        return request.user.is_national and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national and super().has_delete_permission(request, obj)


class HelpQuestionInline(NationalTeamWritesMixin, admin.StackedInline):
    model = HelpQuestion
    fields = ["question", "answer", "order"]
    extra = 0


@admin.register(HelpTheme)
class HelpThemeAdmin(NationalTeamWritesMixin, admin.ModelAdmin):
    list_display = ["title", "order", "question_count"]
    list_editable = ["order"]
    inlines = [HelpQuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, obj):
        return obj.question_count


@admin.register(HelpQuestion)
class HelpQuestionAdmin(NationalTeamWritesMixin, admin.ModelAdmin):
    list_display = ["question", "theme", "order"]
    list_filter = ["theme"]
    list_select_related = ["theme"]
    search_fields = ["question", "answer"]
    fields = ["theme", "question", "answer", "order"]
