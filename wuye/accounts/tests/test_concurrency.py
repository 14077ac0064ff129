"""Concurrent second requests on PostgreSQL: a link binds once, wrong codes are all counted, counts add up."""

import pytest
from django.db import connection

from wuye.accounts import totp
from wuye.accounts.enrolment import enrolment_link_issue, totp_enrol_with_link
from wuye.accounts.models import Role, SmsDailyCount, SmsOutcome, User
from wuye.accounts.services import totp_check
from wuye.accounts.smsguard import sms_count
from wuye.common.dates import today
from wuye.common.errors import DomainError
from wuye.testing import make_user, run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only meaningful on PostgreSQL",
    ),
]


def test_one_enrolment_link_used_twice_at_once_binds_one_phone():
    user = make_user(Role.TASK_FORCE)
    link, _ = enrolment_link_issue(actor=make_user(Role.BUREAU_ADMIN), user_id=user.pk)
    secrets = [totp.new_secret(), totp.new_secret()]

    def enrol(secret):
        return lambda: totp_enrol_with_link(
            actor=user, link_id=link.pk, secret=secret, code=totp.code_at(secret, totp.current_step())
        )

    results = run_concurrently(enrol(secrets[0]), enrol(secrets[1]))
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert User.objects.get(pk=user.pk).totp_secret in secrets


def test_concurrent_wrong_codes_are_all_counted(settings):
    settings.WUYE = {**settings.WUYE, "TOTP_MAX_FAILURES_ACCOUNT": 4}
    from wuye.accounts.services import totp_confirm

    user = make_user(Role.TASK_FORCE)
    secret = totp.new_secret()
    totp_confirm(actor=user, user=user, secret=secret, code=totp.code_at(secret, totp.current_step() - 1))
    near = {totp.code_at(secret, totp.current_step() + d) for d in (-2, -1, 0, 1, 2)}
    wrong = next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)
    results = run_concurrently(*[lambda: totp_check(actor=user, user=user, code=wrong)] * 4)
    assert all(isinstance(r, DomainError) for r in results)
    assert User.objects.get(pk=user.pk).totp_locked_until is not None


def test_concurrent_requests_on_a_new_day_count_every_one():
    run_concurrently(*[lambda: sms_count(SmsOutcome.UNKNOWN_PHONE)] * 6)
    assert SmsDailyCount.objects.get(day=today(), outcome=SmsOutcome.UNKNOWN_PHONE).count == 6
