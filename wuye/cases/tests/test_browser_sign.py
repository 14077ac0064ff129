"""The company's staff on a phone: an urgent case is first in the to-do list with its mark; they sign for it (签收)."""

import os
from pathlib import Path

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]

if not Path(CHROMIUM).exists() and os.environ.get("WUYE_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_company_staff_sees_the_urgent_case_first_and_signs_for_it(live_server):
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from wuye.cases import services
    from wuye.cases.models import Case
    from wuye.intake.models import Channel
    from wuye.intake.services import lead_create
    from wuye.kernel.actors import PublicActor

    from .conftest import World

    world = World()
    ordinary = world.case(description="绿化带杂草丛生")
    lead = lead_create(
        actor=PublicActor("phone"),
        channel=Channel.PHONE,
        text="5栋电梯困人",
        estate=world.estate,
        urgent=True,
    ).lead
    urgent = services.case_create_from_lead(actor=world.tf, lead=lead, category="3.1")
    Case.objects.filter(pk=urgent.pk).update(created_at=ordinary.created_at)  # same age: urgency decides
    client = Client()
    client.force_login(world.staff, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/cases/")
        todo = page.locator("#todo-h + div table tbody tr")
        first = todo.nth(0).inner_text()
        assert urgent.number in first and "紧急" in first and "签收事项" in first
        page.click(f"text={urgent.number}")
        page.click("a.btn:has-text('签收')")
        page.fill("textarea[name=note]", "已派维保人员赶往现场")
        page.click("main button:has-text('确认')")
        page.wait_for_url(f"**/cases/{urgent.number}/")
        assert "已签收" in page.inner_text("main")
        browser.close()
    urgent.refresh_from_db()
    assert urgent.signed_by == world.staff
