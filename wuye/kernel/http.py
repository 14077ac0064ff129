"""The request a view gets once a role check has let it through: its user is a logged-in User.

Only types: at run time `AuthedHttpRequest` is Django's HttpRequest. The User import is for the type checker
only, so the kernel still imports no domain app at run time (import-linter ignores TYPE_CHECKING imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from rest_framework.request import Request

    from wuye.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A view decorated with `role_required` takes this: `request.user` is a User, never anonymous."""

    user: User


def authed_user(request: HttpRequest | Request) -> User:
    """The user of a request that a role check (`roles_permission` on an API view) already let through."""
    user = request.user
    if not user.is_authenticated:  # the permission class refused it before; kept so the type is earned
        raise PermissionDenied
    return cast("User", user)
