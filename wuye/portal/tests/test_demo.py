import pytest
from django.apps import apps
from django.core.management import call_command

from wuye.accounts.models import Role, User
from wuye.registry.models import PropertyCompany
from wuye.registry.validators import validate_credit_code

pytestmark = pytest.mark.django_db

WUYE_APPS = ("registry", "accounts", "cases", "intake", "triage", "revenue", "voting")


def table_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in WUYE_APPS}


def test_demo_is_deterministic_idempotent_and_complete(capsys):
    """One (slow) demo build checked for everything: idempotence, valid credit codes, a login for every role."""
    call_command("demo", "--seed", "1", "--scale", "0.1")
    first = table_counts()
    out = capsys.readouterr().out
    assert "演示账号" in out and "admin" in out and "wuye-demo-2025" in out
    assert first["registry.Estate"] >= 5 and first["registry.Unit"] > 500
    call_command("demo", "--seed", "1", "--scale", "0.1", "--quiet-logins")
    assert table_counts() == first
    codes = list(PropertyCompany.objects.values_list("credit_code", flat=True))
    assert codes and all(validate_credit_code(c) == c for c in codes)
    roles = set(User.objects.values_list("role", flat=True))
    assert {
        Role.BUREAU_ADMIN,
        Role.TASK_FORCE,
        Role.CITY_VIEWER,
        Role.COMPANY_STAFF,
        Role.COMMITTEE_MEMBER,
    } <= roles
