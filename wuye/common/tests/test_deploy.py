"""Deployment: `check --deploy` with the production settings is clean; every page carries a strict CSP and no
template has an inline script or event handler for it to block."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# drf_spectacular.W002 (the voting API views have no serializers) is finding 10 of issue 12, fixed on its own branch
NOT_OURS = {"drf_spectacular.W002"}


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "wuye.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://wuye@127.0.0.1:5432/wuye",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "WUYE_AUDIT_KEY": "audit-key-for-tests-xxxxxxxxxxxxxxxx",
        "WUYE_JOBS": "procrastinate",
        "ALLOWED_HOSTS": "wuye.example.gov.cn",
    }
    env.update(extra)
    return env


def _deploy_issues(env: dict[str, str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", out.stdout + out.stderr)) - NOT_OURS


def test_check_deploy_with_production_settings_is_clean():
    assert _deploy_issues(_production_env()) == set()


def test_check_deploy_notices_a_per_process_rate_limit_cache(settings):
    # production refuses to start without REDIS_URL (test_settings_module); the check guards any other settings
    from wuye.common.checks import check_shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_shared_cache()] == ["wuye.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert check_shared_cache() == []


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["style-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)


def test_no_template_has_an_inline_script_handler_or_style_block():
    offenders = []
    for path in sorted((ROOT / "wuye").rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER_ATTR, STYLE_BLOCK, re.compile(r"javascript:", re.I)):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []
