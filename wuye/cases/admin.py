"""Read-only admin views of the ledger: every change goes through the services (audit, timeline); nothing is deleted."""

from typing import Any

from django.contrib import admin

from .models import Case, CaseAction, CaseEvent, CaseExtension, HandoverRecord, Revisit, RevisitBatch


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = [
        "number",
        "estate",
        "company",
        "category",
        "status",
        "deadline",
        "report_count",
        "created_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["number"]
    list_select_related = ["estate", "company"]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ["case", "at", "title", "actor_label", "public"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(CaseExtension)
class CaseExtensionAdmin(ReadOnly):
    list_display = ["case", "status", "old_deadline", "requested_deadline", "granted_deadline"]


@admin.register(CaseAction)
class CaseActionAdmin(ReadOnly):
    list_display = ["case", "kind", "date", "company", "amount"]
    list_filter = ["kind"]


@admin.register(HandoverRecord)
class HandoverRecordAdmin(ReadOnly):
    list_display = ["estate", "status", "deadline", "opened_from_case"]


@admin.register(RevisitBatch)
class RevisitBatchAdmin(ReadOnly):
    list_display = ["id", "seed", "per_estate", "category", "drawn_at"]


@admin.register(Revisit)
class RevisitAdmin(ReadOnly):
    list_display = ["batch", "case", "result", "recorded_at"]
