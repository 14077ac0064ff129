"""The closed loop in a browser: a resident on a phone (390×844, WeChat's browser) files with a photo, the task force
sees the photo, the case is accepted, the resident says "not fixed", and the same case is reopened — their page
says so under the same tracking code."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import jpeg_bytes, png_bytes

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240404 MMWEBID/2307 "
    "MicroMessenger/8.0.49.2600(0x2800313D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)

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


def _context(browser, user=None, base=""):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        user_agent=WECHAT,
    )
    if user is not None:
        from django.test import Client

        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    return context


def _fits(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways ({width} px wide in a {inner} px screen)"


def _accept(case, task_force, company_staff):
    from wuye.cases import services as cases

    case = cases.case_verify(actor=task_force, case=case)
    case = cases.case_start_rectification(
        actor=task_force,
        case=case,
        target="清理楼道",
        measures="当天清运",
        responsible="项目经理",
        deadline=dt.date.today() + dt.timedelta(days=7),
    )
    photo = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    case = cases.case_submit(actor=company_staff, case=case, progress="已清理", attachments=[photo])
    return cases.case_accept(actor=task_force, case=case, note="现场核实已清理")


def test_photo_to_task_force_then_not_fixed_reopens_the_same_case(
    browser, live_server, estate, task_force, company_staff, tmp_path
):
    from wuye.cases.models import Case
    from wuye.cases.services import case_create_from_lead
    from wuye.intake.models import Lead

    base = live_server.url
    photo = tmp_path / "stairs.jpg"
    photo.write_bytes(jpeg_bytes(size=(2000, 1500)))

    # a resident files from the QR code, with a photo
    resident = _context(browser)
    page = resident.new_page()
    page.goto(f"{base}/q/{estate.code}/")
    page.fill("textarea[name=text]", "3栋楼道堆满杂物，消防通道堵了")
    page.check("input[name=category][value='1.3']")
    page.click("button[type=submit]")
    page.wait_for_selector("input[type=file]")
    assert "堵了" not in page.url and "text=" not in page.url  # step 1 was a POST
    _fits(page)
    page.set_input_files("input[type=file]", str(photo))
    page.click("#submit-new")
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    lead = Lead.objects.get(tracking_code=code)

    # the task force sees the photo on the triage card, and it opens full size
    staff = _context(browser, task_force, base)
    desk = staff.new_page()
    desk.goto(f"{base}/triage/")
    thumb = desk.locator(f"#lead-{lead.pk} ~ .lead-photos img").first
    thumb.wait_for()
    # the thumbnail loads lazily: bring it on screen, then wait until the browser has decoded it
    thumb.scroll_into_view_if_needed()
    desk.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=15000
    )
    href = desk.locator(f"#lead-{lead.pk} ~ .lead-photos a").first.get_attribute("href")
    full = desk.goto(base + href)
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg"

    # the case is opened and accepted; its page shows the photo too
    case = case_create_from_lead(actor=task_force, lead=lead, category="1.3")
    _accept(case, task_force, company_staff)
    desk.goto(f"{base}/cases/{case.number}/")
    assert desk.locator(".lead-photos img").count() == 1

    # the resident says "not fixed" on their tracking page
    page.goto(f"{base}/track/{code}/")
    assert page.inner_text("#status") == "已销号"
    page.fill("#not_fixed_comment", "杂物又堆回来了")
    page.click("text=问题没有解决，请重新处理")
    page.wait_for_selector("#status")
    assert "已重新办理" in page.inner_text("#status") and code in page.inner_text("#tracking-code")
    _fits(page)
    assert case.number in page.inner_text("main")

    # the same case is reopened, with the report on its page for the task force
    assert Case.objects.count() == 1 and Lead.objects.count() == 1
    case.refresh_from_db()
    assert case.status == "rectifying"
    desk.goto(f"{base}/cases/{case.number}/")
    assert "杂物又堆回来了" in desk.inner_text("main") and "已重新办理" in desk.inner_text("main")
    resident.close()
    staff.close()
