"""Issue #12 finding 1: the API takes no password; the session counts only after the second factor; machines use
scoped, revocable, hashed tokens that the office head alone manages."""

import base64
import re
from unittest import mock

import pytest
from rest_framework.test import APIClient

from wuye.accounts import totp
from wuye.accounts.apitokens import token_digest
from wuye.accounts.models import ApiToken, Role
from wuye.audit.models import AuditEntry
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-1"


def _enable(user):
    from wuye.accounts.services import totp_confirm

    secret = totp.new_secret()
    totp_confirm(actor=user, user=user, secret=secret, code=totp.code_at(secret, totp.current_step() - 1))
    user.refresh_from_db()
    return user


def _basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class _NoHasher:
    """Fails the test if the password hasher runs (for a known user: identify_hasher; unknown: get_hasher)."""

    def __enter__(self):
        self.patches = [
            mock.patch(
                "django.contrib.auth.hashers.identify_hasher", side_effect=AssertionError("hasher ran")
            ),
            mock.patch("django.contrib.auth.hashers.get_hasher", side_effect=AssertionError("hasher ran")),
        ]
        for p in self.patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in self.patches:
            p.stop()


def _create_token(client, admin, **data):
    login(client, admin)
    form = {"name": "12345平台", "role": Role.TASK_FORCE, **data}
    resp = client.post("/accounts/api-tokens/", form)
    assert resp.status_code == 200, resp.content.decode()
    raw = re.search(r'<code id="new-token">([^<]+)</code>', resp.content.decode()).group(1)
    client.logout()
    return raw


def test_a_password_alone_over_basic_auth_gets_nothing_and_never_runs_the_hasher(client):
    make_user(Role.TASK_FORCE, username="tf", password=PASSWORD)
    api = APIClient()
    with _NoHasher():
        right = api.get("/api/v1/cases/", HTTP_AUTHORIZATION=_basic("tf", PASSWORD))
        unknown = api.get("/api/v1/cases/", HTTP_AUTHORIZATION=_basic("nobody", "guess"))
        create = api.post(
            "/api/v1/cases/",
            {"estate": "X", "category": "2.2", "description": "试图创建"},
            format="json",
            HTTP_AUTHORIZATION=_basic("tf", PASSWORD),
        )
    assert right.status_code in (401, 403)
    assert unknown.status_code in (401, 403)
    assert create.status_code in (401, 403)


def test_a_bad_token_is_refused_without_the_hasher():
    api = APIClient()
    with _NoHasher():
        resp = api.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token wuye_not-a-real-token")
        bearer = api.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer wuye_not-a-real-token")
    assert resp.status_code in (401, 403) and bearer.status_code in (401, 403)


def test_the_api_refuses_a_session_that_skipped_the_second_factor(client, settings):
    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    user = _enable(make_user(Role.TASK_FORCE, username="tf", password=PASSWORD))
    login(client, user)  # a session made by the password alone (as the Django admin's own login did)
    assert client.get("/api/v1/cases/").status_code == 403
    assert "_auth_user_id" not in client.session  # the half-made session is ended
    # the same user through the password and the code is served
    client.post("/accounts/login/", {"username": "tf", "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": totp.code_at(user.totp_secret, totp.current_step())})
    assert client.get("/api/v1/cases/").status_code == 200


def test_the_session_auth_class_itself_honours_the_second_factor(rf, settings):
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.request import Request

    from wuye.accounts.authentication import SecondFactorSessionAuthentication, second_factor_mark

    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    user = make_user(Role.TASK_FORCE)
    django_request = rf.get("/api/v1/cases/")
    django_request.user, django_request.session = user, SessionStore()
    django_request._dont_enforce_csrf_checks = True
    assert SecondFactorSessionAuthentication().authenticate(Request(django_request)) is None
    second_factor_mark(django_request, user)
    assert SecondFactorSessionAuthentication().authenticate(Request(django_request))[0] == user


def test_the_django_admin_cannot_be_entered_with_the_password_alone(client, settings):
    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    admin = _enable(make_user(Role.BUREAU_ADMIN, username="boss", password=PASSWORD))
    resp = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD, "next": "/admin/"}
    )
    assert resp.status_code == 302 and resp["Location"].endswith("/accounts/login/code/")
    assert client.get("/admin/").status_code == 302  # still outside
    ok = client.post("/accounts/login/code/", {"code": totp.code_at(admin.totp_secret, totp.current_step())})
    assert ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_read_only_token_lists_but_cannot_create(client):
    company = make_company()
    estate = make_estate(company=company)
    raw = _create_token(client, make_user(Role.BUREAU_ADMIN), read_only="on")
    api = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    assert api.get("/api/v1/cases/", **auth).status_code == 200
    assert api.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    resp = api.post(
        "/api/v1/cases/",
        {"estate": estate.code, "category": "2.2", "description": "架空层出租"},
        format="json",
        **auth,
    )
    assert resp.status_code == 403 and "只读" in resp.json()["detail"]
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert token.token_hash == token_digest(raw) and raw not in str(ApiToken.objects.values().get())


def test_a_writing_token_creates_within_its_groups_only(client):
    estate = make_estate(company=make_company())
    raw = _create_token(client, make_user(Role.BUREAU_ADMIN), groups=["cases"])
    api = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    resp = api.post(
        "/api/v1/cases/",
        {"estate": estate.code, "category": "2.2", "description": "架空层出租"},
        format="json",
        **auth,
    )
    assert resp.status_code == 201, resp.content
    assert api.get("/api/v1/registry/estates/", **auth).status_code == 403  # not in its groups


def test_a_revoked_token_fails_at_once(client):
    admin = make_user(Role.BUREAU_ADMIN)
    raw = _create_token(client, admin)
    api = APIClient()
    assert api.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    login(client, admin)
    token = ApiToken.objects.get()
    resp = client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert resp.status_code == 302
    assert api.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {raw}").status_code in (401, 403)
    actions = set(
        AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"api_token.create", "api_token.revoke"}


@pytest.mark.parametrize("role", [Role.TASK_FORCE, Role.CITY_VIEWER, Role.COMMITTEE_MEMBER, Role.OWNER])
def test_only_the_office_head_manages_tokens(client, role):
    extra = {"estate_id": make_estate().pk} if role == Role.COMMITTEE_MEMBER else {}
    login(client, make_user(role, **extra))
    assert client.get("/accounts/api-tokens/").status_code == 403
    assert client.post("/accounts/api-tokens/", {"name": "x", "role": Role.TASK_FORCE}).status_code == 403
    assert not ApiToken.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_for_token_pages(client):
    resp = client.get("/accounts/api-tokens/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_the_token_form_names_the_field_and_the_reason(client):
    login(client, make_user(Role.BUREAU_ADMIN))
    page = client.post("/accounts/api-tokens/", {"name": " ", "role": Role.TASK_FORCE}).content.decode()
    assert "名称：" in page and not ApiToken.objects.exists()
    client.post("/accounts/api-tokens/", {"name": "市局", "role": Role.CITY_VIEWER})
    again = client.post("/accounts/api-tokens/", {"name": "市局", "role": Role.CITY_VIEWER}).content.decode()
    assert "已有名为“市局”的有效令牌" in again and ApiToken.objects.count() == 1


def test_a_superuser_without_a_role_needs_the_second_factor_for_the_admin_too(client, settings):
    from wuye.accounts.models import User

    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    User.objects.create_superuser(username="root", password=PASSWORD, email="")
    resp = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert resp.status_code == 200 and "绑定链接" in resp.content.decode()
    assert client.get("/admin/").status_code == 302
