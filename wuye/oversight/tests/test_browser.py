"""The public progress page on a phone with JavaScript off, the task force's dashboard with its charts drawn,
and page 1 of the city report PDF (PDFium), in the demo county (Debian's Chromium through Playwright). Screenshots go
to docs/screenshots/."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"

if not Path(CHROMIUM).exists() and os.environ.get("WUYE_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_progress_on_a_phone_without_javascript_and_the_dashboard_with_its_charts(browser, live_server):
    call_command("demo", "--seed", "1", "--scale", "0.05", "--quiet-logins")
    from django.test import Client

    from wuye.accounts.models import User
    from wuye.oversight.models import DailySummary

    assert DailySummary.objects.exists()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN", java_script_enabled=False
    )
    phone = phone_ctx.new_page()
    phone.goto(live_server.url + "/progress/")
    text = phone.inner_text("main")
    assert "集中整治" in text and "累计受理问题" in text
    total = DailySummary.objects.values_list("received", flat=True)
    assert str(sum(total)) in text  # the numbers are in the HTML, not drawn by a script
    phone.screenshot(path=str(SHOTS / "progress-phone.png"), full_page=True)
    phone_ctx.close()

    user = User.objects.get(username="zhongchu")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    ctx.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/oversight/dashboard/")
    page.wait_for_selector(".echart canvas", timeout=15000)
    assert page.locator(".echart canvas").count() >= 5
    assert not errors, errors  # no script blocked by the Content-Security-Policy
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=False)
    page.locator(".dash-grid").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.dash-grid').scrollIntoView()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "dashboard-charts.png"), full_page=False)
    ctx.close()
    # page 1 of the city report PDF, rendered with PDFium (Chromium headless shows no PDFs)
    import pypdfium2

    from wuye.common.dates import today
    from wuye.oversight import cityreport
    from wuye.oversight.calendar import month_start, previous_month

    pdf = pypdfium2.PdfDocument(cityreport.to_pdf(cityreport.build(previous_month(month_start(today())))))
    try:
        first = pdf[0]
        assert "县" in first.get_textpage().get_text_range()  # the Chinese text is real text, not pictures
        first.render(scale=1.6).to_pil().save(SHOTS / "city-report-pdf-page1.png")
    finally:
        pdf.close()
