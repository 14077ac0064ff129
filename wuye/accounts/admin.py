from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .http import AuthedHttpRequest
from .models import User


@admin.register(User)
class WuyeUserAdmin(UserAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("username", "display_name", "role", "company", "estate", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "角色与范围",
            {"fields": ("role", "display_name", "phone", "county", "city", "company", "estate", "owner")},
        ),
    )  # type: ignore[misc]
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("角色与范围", {"fields": ("role", "display_name", "county", "city", "company", "estate")}),
    )
    raw_id_fields = ("owner", "estate")
    actions = ["reset_second_factor"]

    @admin.action(description="重置动态口令（手机丢失时）")
    def reset_second_factor(self, request: AuthedHttpRequest, queryset: QuerySet[User]) -> None:
        from .services import totp_reset

        for user in queryset:
            totp_reset(actor=request.user, user=user, reason="管理后台重置（手机丢失或更换）")
        self.message_user(request, f"已重置 {queryset.count()} 个账号的动态口令，下次登录时重新绑定。")


def _admin_login(request: HttpRequest) -> HttpResponse:
    from .views import admin_login

    return admin_login(request)


# The admin's own login form takes the password alone; /admin/login/ is the staff login with its second factor.
admin.site.login = _admin_login  # type: ignore[method-assign,assignment]
