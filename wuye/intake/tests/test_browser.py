"""A resident on a phone: scan link → form → photo → tracking code → track page; with and without JavaScript."""

import os
from pathlib import Path

import pytest

from .conftest import jpeg_bytes

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

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


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_resident_files_a_complaint_with_a_photo_and_tracks_it(
    browser, live_server, estate, javascript, tmp_path
):
    from wuye.intake.models import Lead

    photo = tmp_path / "elevator.jpg"
    photo.write_bytes(jpeg_bytes(size=(3000, 2000)))
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
        locale="zh-CN",
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/q/{estate.code}/")
    assert "阳光花园" in page.title()
    body_px = (
        page.eval_on_selector("body", "e => parseFloat(getComputedStyle(e).fontSize)") if javascript else 18
    )
    assert body_px >= 18
    page.fill("textarea[name=text]", "3栋电梯一周停了三次，老人上下楼困难")
    page.check("input[name=category][value='3.1']")
    page.click("button[type=submit]")
    page.wait_for_selector("input[type=file]")
    page.set_input_files("input[type=file]", str(photo))
    page.fill("input[name=phone]", "13812345678")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    lead = Lead.objects.get(tracking_code=code)
    assert lead.attachments.count() == 1 and lead.estate == estate
    assert "13812345678" not in page.content()
    page.goto(f"{live_server.url}/track/")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "已收到，等待专班分拣"
    assert code in page.inner_text("#tracking-code")
    context.close()
