"""Public pages on a phone (390×844, WeChat's browser), in the demo county: no page scrolls sideways, the
revenue statement reads as cards, and an anonymous visitor sees a vote's totals but no unit's ballot.

Screenshots go to var/screenshots/ (look at them: a test cannot tell that a table is unreadable)."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240404 MMWEBID/2307 "
    "MicroMessenger/8.0.49.2600(0x2800313D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

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


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        user_agent=WECHAT,
    )
    yield context.new_page()
    context.close()


def fits(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{name}: the page scrolls sideways ({width} px wide in a {inner} px screen)"


def test_public_pages_fit_a_phone_and_a_vote_shows_the_public_no_ballots(phone, live_server):
    call_command("demo", "--seed", "1", "--scale", "0.1", "--quiet-logins")
    from wuye.revenue.models import Disclosure
    from wuye.voting.models import PUBLIC_RESULT_STATES, Assembly, Ballot

    base = live_server.url
    for name, path in (("home", "/"), ("report", "/report/"), ("estates", "/estates/"), ("track", "/track/")):
        phone.goto(base + path)
        fits(phone, f"public-{name}")

    # the revenue statement with the most lines: counterparty and amounts readable, nothing cut off
    d = Disclosure.objects.select_related("account__estate").order_by("-line_count", "id").first()
    phone.goto(f"{base}/estates/{d.account.estate.code}/revenue/")
    fits(phone, "revenue-index")
    phone.goto(f"{base}/estates/{d.account.estate.code}/revenue/{d.period_key}/")
    fits(phone, "revenue-statement")
    cell = phone.locator("table.statement tbody tr").first.locator("td[data-label='对方单位']")
    box = cell.bounding_box()
    assert box["width"] > 250, "the counterparty gets the card's width, not one character per line"

    # a published vote: totals and threshold lines for everyone, no unit's ballot for the public
    a = Assembly.objects.filter(status__in=PUBLIC_RESULT_STATES).order_by("id").first()
    receipt = Ballot.objects.filter(assembly=a).order_by("receipt").first().receipt
    phone.goto(f"{base}/voting/{a.pk}/result/")
    fits(phone, "voting-result-public")
    text = phone.inner_text("main")
    assert "通过" in text and "三分之二" in text
    assert receipt not in text and a.digest not in text and "选票公示" not in text
    assert phone.locator("table").count() == 0
    assert not re.search(r"\bM\d\b", text)
    response = phone.goto(f"{base}/voting/{a.pk}/ballots.json")
    assert "/accounts/" in phone.url and "ballots" not in (response.headers.get("content-disposition") or "")


def test_an_owner_on_a_phone_sees_their_page_and_their_estates_ballots(phone, live_server):
    call_command("demo", "--seed", "1", "--scale", "0.1", "--quiet-logins")
    from django.test import Client

    from wuye.accounts.models import User
    from wuye.voting.models import PUBLIC_RESULT_STATES, Assembly, Ballot

    a = Assembly.objects.filter(status__in=PUBLIC_RESULT_STATES).order_by("id").first()
    user = User.objects.filter(owner__ownerships__unit__estate=a.estate).order_by("id").first()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    phone.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    phone.goto(live_server.url + "/")
    fits(phone, "owner-home")
    assert "我的主页" in phone.inner_text("h1") and "工作台" not in phone.inner_text("body")
    phone.goto(f"{live_server.url}/voting/{a.pk}/result/")
    fits(phone, "voting-result-owner")
    receipt = Ballot.objects.filter(assembly=a).order_by("receipt").first().receipt
    assert receipt in phone.inner_text("main") and a.digest in phone.inner_text("main")
