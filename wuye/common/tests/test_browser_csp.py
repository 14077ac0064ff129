"""In a real browser the Content-Security-Policy blocks nothing on our pages (no inline script or style left)."""

import os
from pathlib import Path

import pytest

from wuye.testing import make_estate

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]

if not Path(CHROMIUM).exists() and os.environ.get("WUYE_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_and_api_docs_load_without_a_csp_violation(live_server):
    from playwright.sync_api import sync_playwright

    estate = make_estate(code="CSPT", name="安宁小区")
    paths = ["/", f"/q/{estate.code}/", f"/q/{estate.code}/?direct=1", "/track/", "/api/docs/"]
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on(
            "console",
            lambda m: (
                violations.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
        swagger_ready = page.evaluate("() => typeof window.SwaggerUIBundle")
        browser.close()
    assert violations == []
    assert swagger_ready == "function"
