"""The request a view gets once `role_required` has let it through: its user is a logged-in User.

Only a type: at run time it is Django's HttpRequest. The User import is for the type checker only, so the
kernel still imports no domain app at run time (import-linter ignores TYPE_CHECKING imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from wuye.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User
