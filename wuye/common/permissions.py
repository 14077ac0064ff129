"""Role checks for views and the API. Row-level scope is in each app's selectors, not here.

They read only `user.role` (the kernel's vocabulary), so every app may use them without importing accounts.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous users go to the login page; a logged-in user with another role gets 403. The view keeps its
    signature, so it may take an `AuthedHttpRequest` (wuye.accounts.http)."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in allowed:
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def roles_permission(
    roles: Iterable[str], *, write_roles: Iterable[str] | None = None
) -> type[BasePermission]:
    """A DRF permission class: `roles` may read; `write_roles` (default: the same) may write."""
    read = frozenset(roles)
    write = frozenset(write_roles) if write_roles is not None else read

    class _RolePermission(BasePermission):
        message = "您的角色无权进行此操作"

        def has_permission(self, request: "Request", view: "APIView") -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            # the default permission classes first (a machine's token: its scope), which this class replaces
            defaults = cast("list[type[BasePermission]]", api_settings.DEFAULT_PERMISSION_CLASSES)
            for default in defaults:
                check = default()
                if not check.has_permission(request, view):
                    self.message = getattr(check, "message", self.message)
                    return False
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return user.role in read
            return user.role in write

    return _RolePermission
