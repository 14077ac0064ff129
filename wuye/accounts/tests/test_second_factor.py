import time

import pytest

from wuye.accounts import totp
from wuye.accounts.models import Role, User
from wuye.audit.models import AuditEntry
from wuye.testing import make_user

pytestmark = pytest.mark.django_db


def test_totp_matches_the_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); the last 6 digits are what 6-digit apps show
    secret = totp.base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"


def _code(user_or_secret, offset=0):
    secret = user_or_secret if isinstance(user_or_secret, str) else user_or_secret.totp_secret
    return totp.code_at(secret, totp.current_step() + offset)


def _enable(user):
    from wuye.accounts.services import totp_confirm

    secret = totp.new_secret()
    totp_confirm(actor=user, user=user, secret=secret, code=totp.code_at(secret, totp.current_step() - 1))
    user.refresh_from_db()
    return user


def test_a_user_with_a_second_factor_needs_the_code_after_the_password(client):
    user = _enable(make_user(Role.TASK_FORCE, username="tf2", password="secret-pass-1"))
    resp = client.post("/accounts/login/", {"username": "tf2", "password": "secret-pass-1"})
    assert resp.status_code == 302 and resp["Location"].endswith("/accounts/login/code/")
    assert "_auth_user_id" not in client.session  # not logged in yet
    bad = client.post("/accounts/login/code/", {"code": "000000" if _code(user) != "000000" else "111111"})
    assert "动态口令不正确" in bad.content.decode()
    assert "_auth_user_id" not in client.session
    ok = client.post("/accounts/login/code/", {"code": _code(user)})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_used_code_cannot_be_replayed(client):
    user = _enable(make_user(Role.BUREAU_ADMIN, username="boss", password="secret-pass-1"))
    code = _code(user)
    client.post("/accounts/login/", {"username": "boss", "password": "secret-pass-1"})
    client.post("/accounts/login/code/", {"code": code})
    client.logout()
    client.post("/accounts/login/", {"username": "boss", "password": "secret-pass-1"})
    resp = client.post("/accounts/login/code/", {"code": code})
    assert "已使用过" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_when_required_bureau_staff_enrol_before_they_are_logged_in(client, settings):
    from wuye.accounts.enrolment import enrolment_link_issue

    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    newbie = make_user(Role.TASK_FORCE, username="newbie", password="secret-pass-1")
    # since issue #12 the enrolment needs the office head's one-time link, not the password alone
    _, raw = enrolment_link_issue(actor=make_user(Role.BUREAU_ADMIN), user_id=newbie.pk)
    client.get(f"/accounts/enrol/{raw}/")
    client.post("/accounts/login/", {"username": "newbie", "password": "secret-pass-1"})
    page = client.get("/accounts/login/code/").content.decode()
    assert "绑定动态口令" in page and "<svg" in page
    secret = client.session["wuye_pending_2fa"]["secret"]
    resp = client.post("/accounts/login/code/", {"code": _code(secret)})
    assert resp.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.totp_secret == secret
    assert AuditEntry.objects.filter(action="user.second_factor_on", object_id=str(user.pk)).exists()


def test_company_staff_are_not_asked_for_a_second_factor_even_when_bureau_staff_are(client, settings):
    from wuye.testing import make_company

    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    make_user(Role.COMPANY_STAFF, username="co", password="secret-pass-1", company_id=make_company().pk)
    resp = client.post("/accounts/login/", {"username": "co", "password": "secret-pass-1"})
    assert resp.status_code == 302 and "/login/code/" not in resp["Location"]
    assert "_auth_user_id" in client.session


def test_a_pending_login_expires(client):
    _enable(make_user(Role.TASK_FORCE, username="slow", password="secret-pass-1"))
    client.post("/accounts/login/", {"username": "slow", "password": "secret-pass-1"})
    session = client.session
    pending = session["wuye_pending_2fa"]
    pending["until"] = time.time() - 1
    session["wuye_pending_2fa"] = pending
    session.save()
    resp = client.get("/accounts/login/code/")
    assert resp.status_code == 302 and resp["Location"].endswith("/accounts/login/")


def test_only_the_office_head_resets_a_lost_phone():
    from wuye.accounts.services import totp_reset
    from wuye.common.errors import DomainError

    user = _enable(make_user(Role.TASK_FORCE))
    with pytest.raises(DomainError, match="只有专班办公室负责人"):
        totp_reset(actor=make_user(Role.TASK_FORCE), user=user, reason="丢失")
    totp_reset(actor=make_user(Role.BUREAU_ADMIN), user=user, reason="手机丢失")
    user.refresh_from_db()
    assert user.totp_secret == "" and not user.has_second_factor


def test_staff_enable_the_second_factor_from_their_page(client):
    from wuye.testing import login, make_company

    # since issue #12 a bureau user needs the office head's link for this (test_auth_enrolment); other staff don't
    user = make_user(Role.COMPANY_STAFF, company_id=make_company().pk)
    login(client, user)
    page = client.get("/accounts/second-factor/").content.decode()
    assert "<svg" in page
    secret = client.session["wuye_enrol_secret"]
    bad = client.post("/accounts/second-factor/", {"code": "12345"})
    assert "动态口令" in bad.content.decode() and not User.objects.get(pk=user.pk).has_second_factor
    client.post("/accounts/second-factor/", {"code": _code(secret)})
    assert User.objects.get(pk=user.pk).has_second_factor
