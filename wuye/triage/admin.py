"""Read-only admin views: suggestions and corrections are written only by the triage services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Correction, Suggestion


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(_ReadOnly):
    list_display = ("lead", "category", "urgent", "decision", "final_category", "model_version", "created_at")
    list_filter = ("decision", "urgent", "category")


@admin.register(Correction)
class CorrectionAdmin(_ReadOnly):
    list_display = ("lead", "suggested_category", "category", "actor", "created_at", "review", "reviewed_by")
    list_filter = ("review", "category")
