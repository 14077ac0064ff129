"""One settings module: every county number declared once, read through one accessor, checked at start-up; production
refuses to start without its shared services."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wuye.kernel.conf import DECLARED, check_county_settings, county_setting, setting_default

ROOT = Path(__file__).resolve().parents[3]


def test_every_declared_setting_has_a_default_a_unit_field_and_a_chinese_label():
    for key, setting in DECLARED.items():
        assert setting.key == key
        assert setting.label and not setting.label.isascii(), key
        assert setting.coerce(setting.default) is not None, key


def test_the_accessor_returns_the_declared_default_in_its_type(settings):
    settings.WUYE = {}
    assert county_setting("CASE_COMPLEX_HANDLE_DAYS") == 15
    assert county_setting("FUND_RATE_YUAN_PER_M2") == Decimal("60.00")
    assert county_setting("VOTING_THREE_QUARTER_ITEMS") == frozenset({6, 7, 8})
    assert county_setting("REQUIRE_BUREAU_2FA") is False


def test_a_configured_value_overrides_the_default_in_the_declared_type(settings):
    settings.WUYE = {
        "DISCLOSURE_GRACE_DAYS": "45",
        "REQUIRE_BUREAU_2FA": "1",
        "FUND_RATE_YUAN_PER_M2": "75.50",
    }
    assert county_setting("DISCLOSURE_GRACE_DAYS") == 45
    assert county_setting("REQUIRE_BUREAU_2FA") is True
    assert county_setting("FUND_RATE_YUAN_PER_M2") == Decimal("75.50")


def test_a_mapping_setting_overrides_only_the_entries_given(settings):
    settings.WUYE = {"INTAKE_RATE_LIMITS": {"qr_submit": (5, 60)}}
    limits = county_setting("INTAKE_RATE_LIMITS")
    assert limits["qr_submit"] == (5, 60)
    assert limits["track"] == setting_default("INTAKE_RATE_LIMITS")["track"]


def test_reading_an_undeclared_key_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="CASE_DEADLINE_DAZE"):
        county_setting("CASE_DEADLINE_DAZE")


def test_an_undeclared_or_ill_typed_key_stops_the_start_up():
    with pytest.raises(ImproperlyConfigured, match="HANDOVER_DAZE"):
        check_county_settings({"HANDOVER_DAZE": 30})
    with pytest.raises(ImproperlyConfigured, match="HANDOVER_DAYS"):
        check_county_settings({"HANDOVER_DAYS": "thirty"})
    with pytest.raises(ImproperlyConfigured, match="TRIAGE"):
        check_county_settings({"TRIAGE": {"DUP_TRESHOLD": 0.3}})
    check_county_settings({"HANDOVER_DAYS": "30", "TRIAGE": {"DUP_THRESHOLD": 0.3}})


def test_the_keys_kept_for_filed_issues_are_declared():
    for key in ("MONTHLY_REPORT_DAY", "PARTY_ORG_TARGET", "OLD_ELEVATOR_YEARS", "ELEVATOR_MAINTENANCE_DAYS"):
        assert key in DECLARED


def test_a_misspelt_key_in_the_environment_of_manage_py_stops_it():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wuye.settings.test"}
    code = "import django; from django.conf import settings; settings.WUYE['CASE_REOPEN_DAZE'] = 1; django.setup()"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "CASE_REOPEN_DAZE" in result.stderr


PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 50,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wuye",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WUYE_AUDIT_KEY": "audit-key-for-tests-xxxxxxxxxxxxxxxx",
    "WUYE_JOBS": "procrastinate",
}


def _import_production(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(PRODUCTION_ENV)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import wuye.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_load_with_every_variable_set():
    result = _import_production()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "WUYE_AUDIT_KEY", "DATABASE_URL", "REDIS_URL", "WUYE_JOBS"])
def test_production_refuses_to_start_without_a_required_variable(name):
    result = _import_production(**{name: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"set the environment variable {name}" in result.stderr


def test_production_refuses_inline_lead_hooks():
    result = _import_production(WUYE_JOBS="inline")
    assert result.returncode != 0
    assert "WUYE_JOBS must be procrastinate" in result.stderr


# --- which keys a county may override ---------------------------------------------------------------------------

COUNTY_READERS = {"estate_setting", "setting_range"}  # they always read per county


def _county_reads() -> tuple[set[str], set[str]]:
    """The declared keys the source reads for a county, and those it reads with an explicit county argument of
    `county_setting` (string literals in the key argument of the calls; wuye/ without tests and migrations)."""
    import ast

    per_county: set[str] = set()
    with_county_arg: set[str] = set()
    for path in (ROOT / "wuye").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            keys = {
                c.value
                for c in ast.walk(node.args[0])
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value in DECLARED
            }
            if not keys:
                continue
            county_arg = len(node.args) > 1 and not (
                isinstance(node.args[1], ast.Constant) and node.args[1].value is None
            )
            if name == "county_setting" and county_arg:
                with_county_arg |= keys
                per_county |= keys
            elif name in COUNTY_READERS or (name == "_days" and county_arg):
                per_county |= keys
    return per_county, with_county_arg


def test_every_key_a_county_may_override_is_read_for_a_county_and_no_other_is():
    """An override that nothing reads for its county would be silently ignored: PER_COUNTY lists exactly the keys
    the code reads with a county (or an estate), and the office head is refused the others."""
    from wuye.kernel.conf import PER_COUNTY, county_overrides_errors

    per_county, with_county_arg = _county_reads()
    assert PER_COUNTY <= per_county, (
        f"in PER_COUNTY but never read for a county: {sorted(PER_COUNTY - per_county)}"
    )
    assert with_county_arg <= PER_COUNTY, (
        f"read with a county but not in PER_COUNTY: {sorted(with_county_arg - PER_COUNTY)}"
    )
    assert county_overrides_errors({"REVENUE_MAX_COST_SHARE": "0.2", "OLD_ELEVATOR_YEARS": 12}) == []
    errors = county_overrides_errors({"SMS_BACKEND": "x", "AUDIT_CHAINS": 4})
    assert len(errors) == 2 and all("不能按县设置" in e for e in errors)
    # a stored override of a deployment-wide key (saved before this rule) changes nothing
    assert county_setting("AUDIT_CHAINS", {"AUDIT_CHAINS": 99}) == county_setting("AUDIT_CHAINS")
