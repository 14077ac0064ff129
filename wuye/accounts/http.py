"""A request type for views behind `role_required`: its user is logged in, never `AnonymousUser`."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import User


class AuthedHttpRequest(HttpRequest):
    user: "User"
