"""Who is calling: a browser session that passed the second factor where it is required, or a machine with a token.

There is no password authentication on the API (no HTTP Basic): a password alone never reaches data, and a bad
credential costs one SHA-256 and one indexed lookup, never the password hasher.
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import apitokens
from .models import ApiToken, User

if TYPE_CHECKING:  # run-time imports would be circular: DRF's APIView reads the authentication classes
    from rest_framework.request import Request
    from rest_framework.views import APIView

SECOND_FACTOR_SESSION_KEY = "wuye_second_factor_user"
TOKEN_KEYWORDS = (b"token", b"bearer")
_API_GROUP_RE = re.compile(r"^/api/v\d+/([^/]+)/")


# --- the second factor in the session ----------------------------------------------------------------------------


def needs_second_factor(user: User) -> bool:
    from .services import second_factor_required

    return user.has_second_factor or second_factor_required(user)


def second_factor_mark(request: HttpRequest, user: User) -> None:
    """Call right after `login()` once the user has proved the TOTP code in this session."""
    request.session[SECOND_FACTOR_SESSION_KEY] = user.pk


def second_factor_passed(request: HttpRequest, user: User) -> bool:
    return request.session.get(SECOND_FACTOR_SESSION_KEY) == user.pk


class SecondFactorMiddleware:
    """A session of a user who needs a second factor but logged in with the password alone (the Django admin's
    own login, a session from before the factor was required) is ended: every page, the admin and the API see an
    anonymous visitor. Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "_auth_user_id" in request.session:
            user = request.user
            if (
                user.is_authenticated
                and needs_second_factor(user)
                and not second_factor_passed(request, user)
            ):
                logout(request)
        response: HttpResponse = self.get_response(request)
        return response


class SecondFactorSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, honouring the second factor even without the middleware."""

    def authenticate(self, request: "Request") -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if needs_second_factor(user) and not second_factor_passed(request._request, user):
            return None
        return result


# --- machines: per-client API tokens -----------------------------------------------------------------------------


class ApiTokenAuthentication:
    """`Authorization: Token <token>` or `Authorization: Bearer <token>`. Constant work for a bad token."""

    def authenticate(self, request: "Request") -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in TOKEN_KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("接口令牌格式不正确：应为 Authorization: Token <令牌>")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("接口令牌格式不正确") from None
        token = apitokens.api_token_for(raw)
        if token is None:
            raise AuthenticationFailed("接口令牌无效或已吊销")
        apitokens.api_token_touch(token)
        return (token.user, token)

    def authenticate_header(self, request: "Request") -> str:
        return 'Token realm="api"'


def api_group(request: HttpRequest) -> str:
    """The endpoint group of an API request: the first path segment under /api/v1/."""
    match = _API_GROUP_RE.match(request.path_info)
    return match.group(1) if match else ""


class ApiTokenScope(BasePermission):
    """A token reaches only its endpoint groups, and writes only when it is not read-only. Sessions pass."""

    message = "该接口令牌无权进行此操作（只读，或不在授权的接口组内）"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        return token.allows(group=api_group(request), write=request.method not in SAFE_METHODS)
