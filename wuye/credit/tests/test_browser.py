"""The public credit pages in a real browser with JavaScript turned off, on a phone-sized screen."""

import os
import re
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]

if not Path(CHROMIUM).exists() and os.environ.get("WUYE_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_public_credit_pages_render_without_javascript(world, live_server):
    from playwright.sync_api import sync_playwright

    from wuye.credit.services import notice_publish, notice_save

    world.penalty()
    world.record("fund_misuse", company=world.other_company, text="挪用专项维修资金")
    world.collect()
    notice = notice_publish(
        actor=world.tf,
        notice=notice_save(actor=world.tf, title="关于物业服务问题的通报", body="通报如下。", items=[]),
    )
    pages = {
        "/credit/": "乙物业服务有限公司",
        f"/credit/companies/{world.company.credit_code}/": "行政处罚",
        "/exposure/": "钟住建罚〔2026〕1号",
        f"/notices/{notice.year}/{notice.seq}/": notice.number,
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
        page = context.new_page()
        for path, expected in pages.items():
            page.goto(live_server.url + path)
            text = page.inner_text("main")
            assert expected in text, path
            assert not PHONE.search(text.replace(world.company.credit_code, "")), path
            assert "赵经理" not in text and "张法人" not in text, path
        page.goto(live_server.url + "/exposure/")
        page.select_option("select[name=company]", str(world.company.pk))
        page.click("form.filters button")  # a plain GET form: works without JavaScript
        assert "company=" in page.url and "钟住建罚〔2026〕1号" in page.inner_text("main")
        browser.close()
