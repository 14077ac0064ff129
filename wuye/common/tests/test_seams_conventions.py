"""Static guards for the seams: one settings accessor, one scoping rule, no anonymous actor in the converted apps."""

import re
from pathlib import Path

WUYE = Path(__file__).resolve().parents[2]


def _sources(*apps: str) -> list[Path]:
    roots = [WUYE / app for app in apps] if apps else [WUYE]
    return [
        p
        for root in roots
        for p in root.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    ]


def test_county_settings_are_read_only_through_the_accessor():
    offenders = [
        str(p.relative_to(WUYE))
        for p in _sources()
        if p.parts[-2] != "settings"
        and p.name != "conf.py"
        and re.search(r"settings\.WUYE\s*(\[|\.get)", p.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"read county settings with wuye.kernel.conf.county_setting: {offenders}"


def test_no_service_in_the_converted_apps_is_called_with_actor_none():
    apps = ("registry", "accounts", "audit", "revenue", "voting", "portal")
    offenders = [
        str(p.relative_to(WUYE))
        for p in _sources(*apps)
        if re.search(r"\bactor\s*=\s*None\b|actor: Any\b|actor: User \| None", p.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"pass a User, SystemActor(job) or PublicActor(channel): {offenders}"


def test_the_company_scope_is_decided_only_by_the_registry_selector():
    """`is_current=True` alone is not "serves today": scope reads go through registry.selectors.estates_served_by."""
    pattern = re.compile(r"company(_id)?=[^,\n]*,\s*is_current=True|contracts__is_current=True")
    offenders = [
        str(p.relative_to(WUYE))
        for p in _sources()
        if not (p.parts[-2] == "registry" and p.name == "selectors.py")
        and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == [], offenders


def test_no_reader_of_the_contract_is_current_flag_outside_the_registry_bookkeeping():
    """Whether a contract binds, and what a page calls it (履行中 / 已到期), is read from its dates
    (registry.selectors.contracts_in_force); `ServiceContract.is_current` is only written by the registry's services
    (one latest contract per estate)."""
    pattern = re.compile(
        r"(ServiceContract\.objects|contracts)\.(filter|get|exclude)\([^)]*is_current"
        r"|contracts__is_current|contract\.is_current"
    )
    offenders = [
        str(p.relative_to(WUYE))
        for p in _sources()
        if not (p.parts[-2] == "registry" and p.name in {"services.py", "demo.py"})
        and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == [], offenders
