from django.contrib import admin

from profiles.admin import CaisseScopedMixin
from profiles.models import Establishment

from .backoffice import EstablishmentAdmin
from .models import Answer, Block, Comment, Question, Step, StepProgress


class BlockInline(admin.TabularInline):
    model = Block
    fields = ["code", "order", "title", "retired_at"]
    extra = 0
    show_change_link = True


class QuestionInline(admin.StackedInline):
    model = Question
    fields = [
        ("code", "order", "kind", "required"),
        "text",
        "guidance",
        "help_text",
        "choices",
        ("number_kind", "min_value", "max_value"),
        ("accepts_files", "file_label"),
        "retired_at",
    ]
    extra = 0
    show_change_link = True


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "question"]
    inlines = [BlockInline]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "step", "order", "retired_at"]
    list_filter = ["step"]
    list_select_related = ["step"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "short_text",
        "kind",
        "required",
        "accepts_files",
        "block",
        "retired_at",
    ]
    list_filter = ["block__step", "kind", "required", "accepts_files"]
    list_select_related = ["block"]
    search_fields = ["code", "text"]

    @admin.display(description="question")
    def short_text(self, question):
        return question.text[:90]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "value", "updated_at", "updated_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StepProgress)
class StepProgressAdmin(CaisseScopedMixin, admin.ModelAdmin):
    list_display = [
        "establishment",
        "step",
        "status",
        "modified_since_validation",
        "completed_at",
        "validated_at",
        "updated_at",
    ]
    list_filter = ["status", "modified_since_validation", "step", "establishment__caisse"]
    list_select_related = ["establishment", "step"]
    search_fields = ["establishment__name", "establishment__siret"]
    readonly_fields = [
        "establishment",
        "step",
        "status",
        "version",
        "completed_at",
        "completion_count",
        "validated_at",
        "validated_by",
        "modified_since_validation",
        "seen_by_representatives_at",
        "seen_by_representatives",
        "updated_at",
        "updated_by",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Comment)
class CommentAdmin(CaisseScopedMixin, admin.ModelAdmin):
    list_display = ["establishment", "block", "voice", "author", "created_at"]
    list_filter = ["voice", "block__step"]
    list_select_related = ["establishment", "block", "author"]
    readonly_fields = ["establishment", "block", "voice", "text", "author", "created_at"]

    def has_add_permission(self, request):
        return False


admin.site.register(Establishment, EstablishmentAdmin)
