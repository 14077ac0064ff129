from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class WuyeUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "company", "estate", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("角色与范围", {"fields": ("role", "display_name", "phone", "company", "estate", "owner")}))  # type: ignore[misc]
    add_fieldsets = (*UserAdmin.add_fieldsets, ("角色与范围", {"fields": ("role", "display_name", "company", "estate")}))
    raw_id_fields = ("owner", "estate")
