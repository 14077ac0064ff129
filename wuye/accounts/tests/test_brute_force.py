"""Issue #12 finding 3: wrong passwords lock the account and the client (django-axes, behind the proxy); wrong
TOTP codes are limited per session and per account; a TOTP is bound only with the office head's link."""

import datetime as dt

import pytest
from django.test import RequestFactory

from wuye.accounts import totp
from wuye.accounts.enrolment import enrolment_link_issue
from wuye.accounts.models import EnrolmentLink, Role, User
from wuye.audit.models import AuditEntry
from wuye.common.clientip import client_ip
from wuye.kernel.conf import county_setting
from wuye.testing import login, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-1"


def _enable(user):
    from wuye.accounts.services import totp_confirm

    secret = totp.new_secret()
    totp_confirm(actor=user, user=user, secret=secret, code=totp.code_at(secret, totp.current_step() - 1))
    user.refresh_from_db()
    return user


def _wrong_code(secret):
    near = {totp.code_at(secret, totp.current_step() + d) for d in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client):
    make_user(Role.TASK_FORCE, username="tf", password=PASSWORD)
    for _ in range(50):
        client.post("/accounts/login/", {"username": "tf", "password": "wrong-guess"})
    resp = client.post("/accounts/login/", {"username": "tf", "password": PASSWORD})
    assert resp.status_code == 429
    assert "登录已暂时锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    # the account is locked from another client address too
    other = client.post("/accounts/login/", {"username": "tf", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 429


def test_one_client_guessing_many_accounts_is_locked_out(client, settings):
    make_user(Role.TASK_FORCE, username="victim", password=PASSWORD)
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": f"guess{i}", "password": "x"}, REMOTE_ADDR="10.0.0.66")
    blocked = client.post(
        "/accounts/login/", {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="10.0.0.66"
    )
    assert blocked.status_code == 429
    fine = client.post(
        "/accounts/login/", {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert fine.status_code == 302


def test_behind_the_proxy_each_client_has_its_own_count(client, settings):
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": ["127.0.0.1"]}
    make_user(Role.TASK_FORCE, username="victim", password=PASSWORD)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": f"guess{i}", "password": "x"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **proxy,
        )
    # the attacker's address is locked; a colleague behind the same proxy logs in
    attacker = client.post(
        "/accounts/login/",
        {"username": "victim", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert attacker.status_code == 429
    colleague = client.post(
        "/accounts/login/",
        {"username": "victim", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
        **proxy,
    )
    assert colleague.status_code == 302


def test_the_client_address_is_the_one_the_trusted_proxy_appended(settings):
    rf = RequestFactory()
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", REMOTE_ADDR="127.0.0.1")
    assert client_ip(spoofed) == "127.0.0.1"  # no proxy configured: the header is ignored
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": ["127.0.0.1"]}
    assert client_ip(spoofed) == "203.0.113.5"  # the client's own "1.2.3.4" is not believed
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="garbage", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_a_hundred_wrong_totp_codes_then_the_right_one_is_refused(client):
    user = _enable(make_user(Role.TASK_FORCE, username="tf", password=PASSWORD))
    wrong = _wrong_code(user.totp_secret)
    for _ in range(100):
        if "wuye_pending_2fa" not in client.session:
            client.post("/accounts/login/", {"username": "tf", "password": PASSWORD})
        client.post("/accounts/login/code/", {"code": wrong})
    if "wuye_pending_2fa" not in client.session:
        client.post("/accounts/login/", {"username": "tf", "password": PASSWORD})
    resp = client.post("/accounts/login/code/", {"code": totp.code_at(user.totp_secret, totp.current_step())})
    assert "动态口令错误次数过多" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.totp_locked_until is not None


def test_wrong_totp_codes_end_the_pending_login_after_the_session_limit(client, settings):
    user = _enable(make_user(Role.TASK_FORCE, username="tf", password=PASSWORD))
    client.post("/accounts/login/", {"username": "tf", "password": PASSWORD})
    limit = county_setting("TOTP_MAX_FAILURES_SESSION")
    for _ in range(limit - 1):
        assert (
            client.post("/accounts/login/code/", {"code": _wrong_code(user.totp_secret)}).status_code == 200
        )
    last = client.post("/accounts/login/code/", {"code": _wrong_code(user.totp_secret)})
    assert last.status_code == 302 and last["Location"].endswith("/accounts/login/")
    assert "wuye_pending_2fa" not in client.session


def test_the_account_lock_ends_after_the_lockout_time(client, settings):
    from wuye.accounts.services import totp_check
    from wuye.common.errors import DomainError

    user = _enable(make_user(Role.TASK_FORCE))
    for _ in range(county_setting("TOTP_MAX_FAILURES_ACCOUNT")):
        with pytest.raises(DomainError):
            totp_check(actor=user, user=user, code=_wrong_code(user.totp_secret))
    with pytest.raises(DomainError, match="锁定"):
        totp_check(actor=user, user=user, code=totp.code_at(user.totp_secret, totp.current_step()))
    User.objects.filter(pk=user.pk).update(totp_locked_until=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    totp_check(actor=user, user=user, code=totp.code_at(user.totp_secret, totp.current_step()))


def test_enrolment_without_the_office_heads_link_is_refused(client, settings):
    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    make_user(Role.TASK_FORCE, username="newbie", password=PASSWORD)
    resp = client.post("/accounts/login/", {"username": "newbie", "password": PASSWORD})
    assert resp.status_code == 200 and "绑定链接" in resp.content.decode()
    assert "wuye_pending_2fa" not in client.session and "_auth_user_id" not in client.session
    assert client.get("/accounts/login/code/").status_code == 302
    assert not User.objects.get(username="newbie").has_second_factor


def test_a_logged_in_bureau_user_cannot_bind_a_phone_without_the_link(client):
    user = make_user(Role.TASK_FORCE)
    login(client, user)
    page = client.get("/accounts/second-factor/").content.decode()
    assert "绑定链接" in page and "<svg" not in page
    client.post("/accounts/second-factor/", {"code": "123456"})
    assert not User.objects.get(pk=user.pk).has_second_factor


def test_the_office_head_issues_a_one_time_link_that_binds_once(client, settings):
    head = make_user(Role.BUREAU_ADMIN)
    newbie = make_user(Role.TASK_FORCE, username="newbie", password=PASSWORD)
    login(client, head)
    page = client.post("/accounts/enrolment-links/", {"user": newbie.pk}).content.decode()
    client.logout()
    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    url = page.split("/accounts/enrol/")[1].split("/")[0]
    assert AuditEntry.objects.filter(action="user.enrolment_link_issue", object_id=str(newbie.pk)).exists()
    assert client.get(f"/accounts/enrol/{url}/").status_code == 302
    client.post("/accounts/login/", {"username": "newbie", "password": PASSWORD})
    secret = client.session["wuye_pending_2fa"]["secret"]
    ok = client.post("/accounts/login/code/", {"code": totp.code_at(secret, totp.current_step())})
    assert ok.status_code == 302 and client.session["_auth_user_id"] == str(newbie.pk)
    assert EnrolmentLink.objects.get().used_at is not None
    assert AuditEntry.objects.filter(action="user.enrolment_link_use", object_id=str(newbie.pk)).exists()
    client.logout()
    assert client.get(f"/accounts/enrol/{url}/").status_code == 404  # used up


def test_an_expired_link_does_not_work(client):
    newbie = make_user(Role.TASK_FORCE)
    link, raw = enrolment_link_issue(actor=make_user(Role.BUREAU_ADMIN), user_id=newbie.pk)
    EnrolmentLink.objects.filter(pk=link.pk).update(expires_at=link.created_at - dt.timedelta(seconds=1))
    resp = client.get(f"/accounts/enrol/{raw}/")
    assert resp.status_code == 404 and "已过期" in resp.content.decode()


@pytest.mark.parametrize("role", [Role.TASK_FORCE, Role.CITY_VIEWER])
def test_only_the_office_head_issues_enrolment_links(client, role):
    newbie = make_user(Role.TASK_FORCE)
    login(client, make_user(role))
    assert client.post("/accounts/enrolment-links/", {"user": newbie.pk}).status_code == 403
    assert not EnrolmentLink.objects.exists()


def test_the_first_office_head_gets_a_link_from_the_command_line(client, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.WUYE = {**settings.WUYE, "REQUIRE_BUREAU_2FA": True}
    make_user(Role.BUREAU_ADMIN, username="head", password=PASSWORD)
    out = StringIO()
    call_command("enrolment_link", "head", stdout=out)
    raw = out.getvalue().split("/accounts/enrol/")[1].split("/")[0]
    assert AuditEntry.objects.filter(
        action="user.enrolment_link_issue", actor_label__contains="命令行"
    ).exists()
    client.get(f"/accounts/enrol/{raw}/")
    client.post("/accounts/login/", {"username": "head", "password": PASSWORD})
    secret = client.session["wuye_pending_2fa"]["secret"]
    client.post("/accounts/login/code/", {"code": totp.code_at(secret, totp.current_step())})
    assert client.get("/accounts/api-tokens/").status_code == 200
