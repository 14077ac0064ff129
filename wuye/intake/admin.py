from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import Inspection, Lead, LeadAttachment, LeadFeedback, Open311Client, QuestionnaireResponse


class AttachmentInline(admin.TabularInline):
    model = LeadAttachment
    extra = 0
    fields = readonly_fields = ("photo", "original_name", "content_type", "size", "created_at")
    can_delete = False

    @admin.display(description="文件")
    def photo(self, obj: LeadAttachment) -> str:
        """Through the scoped photo route (a signed URL on S3, streamed from disk otherwise), never the storage's
        own URL: production serves no /media/."""
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("intake:lead_photo", args=[obj.pk]),
            obj.original_name or "查看",
        )


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "channel", "status", "estate", "estate_needs_confirmation", "created_at")
    list_filter = ("channel", "status", "estate_needs_confirmation")
    search_fields = ("tracking_code", "source_ref", "text")
    readonly_fields = [f.name for f in Lead._meta.fields]
    inlines = [AttachmentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # leads come in through the channels, never typed into the admin

    def has_delete_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False


@admin.register(LeadFeedback)
class LeadFeedbackAdmin(admin.ModelAdmin):
    list_display = ("lead", "rating", "not_fixed", "created_at")
    readonly_fields = ("lead", "rating", "comment", "not_fixed", "followup_lead", "created_at", "updated_at")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("estate", "checklist", "failed_count", "inspector", "created_at")
    readonly_fields = ("estate", "checklist", "results", "failed_count", "notes", "inspector", "created_at")


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(admin.ModelAdmin):
    list_display = ("estate", "company", "score", "created_at")
    list_filter = ("company",)
    readonly_fields = (
        "estate",
        "company",
        "questionnaire",
        "answers",
        "score",
        "comment",
        "lead",
        "source_ref",
        "entered_by",
        "created_at",
    )


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created_at")
