import re

import pytest

from wuye.accounts.models import Role, User
from wuye.accounts.sms import MemorySmsBackend
from wuye.registry.models import Owner
from wuye.testing import make_estate, make_user

pytestmark = pytest.mark.django_db


def test_home_and_admin_login_speak_chinese(client):
    home = client.get("/").content.decode()
    assert "物业服务监管平台" in home and 'lang="zh-CN"' in home
    admin = client.get("/admin/login/").content.decode()
    assert "用户名" in admin and "密码" in admin


def test_staff_login_and_logout(client):
    make_user(Role.TASK_FORCE, username="tf", password="secret-pass-1")
    resp = client.post("/accounts/login/", {"username": "tf", "password": "wrong"})
    assert "用户名或密码不正确" in resp.content.decode()
    resp = client.post("/accounts/login/", {"username": "tf", "password": "secret-pass-1"})
    assert resp.status_code == 302
    page = client.get("/").content.decode()
    assert "工作台" in page and "专班成员" in page
    client.post("/accounts/logout/")
    assert "工作台" not in client.get("/").content.decode()


def test_owner_logs_in_with_phone_and_one_time_code(client, django_capture_on_commit_callbacks):
    estate = make_estate(units=1)
    owner = Owner.objects.get(ownerships__unit__estate=estate)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/accounts/owner/", {"step": "phone", "phone": owner.phone})
    assert "验证码" in resp.content.decode()
    phone, text = MemorySmsBackend.outbox[-1]
    code = re.search(r"(\d{6})", text).group(1)
    assert phone == owner.phone
    bad = client.post(
        "/accounts/owner/",
        {"step": "code", "phone": owner.phone, "code": "000000" if code != "000000" else "111111"},
    )
    assert "验证码不正确" in bad.content.decode()
    ok = client.post("/accounts/owner/", {"step": "code", "phone": owner.phone, "code": code})
    assert ok.status_code == 302
    user = User.objects.get(owner=owner)
    assert user.role == Role.OWNER
    # a used code cannot be used again
    client.logout()
    again = client.post("/accounts/owner/", {"step": "code", "phone": owner.phone, "code": code})
    assert "已过期或不存在" in again.content.decode()


def test_unregistered_phone_gets_no_code_and_no_telling_answer(client):
    # changed with issue #12 finding 4: "未登记为本县业主" told anyone whether a phone owns a flat
    resp = client.post("/accounts/owner/", {"step": "phone", "phone": "13912345678"})
    assert "未登记为本县业主" not in resp.content.decode()
    assert "验证码已发送" in resp.content.decode()
    assert MemorySmsBackend.outbox == []


def test_resend_is_rate_limited(client, django_capture_on_commit_callbacks):
    estate = make_estate(units=1)
    owner = Owner.objects.get(ownerships__unit__estate=estate)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/owner/", {"step": "phone", "phone": owner.phone})
        resp = client.post("/accounts/owner/", {"step": "phone", "phone": owner.phone})
    assert "秒后再试" in resp.content.decode()
    assert len(MemorySmsBackend.outbox) == 1


def test_owner_cannot_use_the_staff_password_form(client):
    user = make_user(Role.OWNER, password="owner-pass-1")
    resp = client.post("/accounts/login/", {"username": user.username, "password": "owner-pass-1"})
    assert "业主请使用手机号和验证码登录" in resp.content.decode()


def test_the_login_code_job_carries_a_token_and_sends_once(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    """The job's arguments hold no phone and no code (the worker logs them); run twice, it sends one SMS."""
    from wuye.accounts import smsguard, tasks

    monkeypatch.setattr(smsguard.secrets, "token_urlsafe", lambda n: "tok-1")
    estate = make_estate(units=1)
    owner = Owner.objects.get(ownerships__unit__estate=estate)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/owner/", {"step": "phone", "phone": owner.phone})
    for callback in callbacks:
        callback()
    assert len(MemorySmsBackend.outbox) == 1 and MemorySmsBackend.outbox[0][0] == owner.phone
    assert tasks.login_sms_job(token="tok-1") is None  # the job run again…
    assert len(MemorySmsBackend.outbox) == 1  # …sends nothing
    assert smsguard.login_sms_deliver("tok-1") is False
