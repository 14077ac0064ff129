"""Click through the demo county as every role: no page may crash, and contact data stays where it belongs.

Starting from the home page, each role follows the same-site links it is shown (GET only, bounded), as a person
would. Every answer must be a page, a redirect, 403 or 404 — never a server error. A company user, the city viewer
and an owner must never be shown a complainant's phone number. No page shows anyone a raw value: an English state
or kind name, "NONE", a period key, a motion code or an ISO date (`visible_text.problems`).
"""

import re
from collections import deque

import pytest
from django.core.management import call_command
from django.test import Client

from wuye.accounts.models import Role, User
from wuye.intake.models import Lead

from .visible_text import problems, raw_choice_values

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/accounts/logout", "/admin/", "/static/", "/media/", "/api/docs", "/api/schema")
DOWNLOADS = (".xlsx", ".pdf", ".zip", ".svg", ".png", ".json", "export", "download")
MAX_PAGES = 90


def crawl(client: Client, *, start: str = "/") -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        resp = client.get(url)
        seen[url] = resp.status_code
        assert resp.status_code < 500, f"{url} answered {resp.status_code}"
        content_type = resp.get("Content-Type", "")
        if resp.status_code != 200 or "text/html" not in content_type:
            continue
        body = resp.content.decode()
        for href in HREF.findall(body):
            href = href.replace("&amp;", "&")
            if href not in seen and not any(d in href for d in DOWNLOADS):
                queue.append(href)
        client._last_bodies = getattr(client, "_last_bodies", []) + [body]  # type: ignore[attr-defined]
        client._last_pages = getattr(client, "_last_pages", []) + [(url, body)]  # type: ignore[attr-defined]
    return seen


def assert_plain_chinese(client: Client) -> None:
    words = raw_choice_values()
    leaks = {
        f"{url}: {problem}"
        for url, body in client._last_pages  # type: ignore[attr-defined]
        for problem in problems(body, words)
    }
    assert not leaks, "raw values in visible text:\n" + "\n".join(sorted(leaks))


@pytest.fixture
def county():
    call_command("demo", "--seed", "1", "--scale", "0.1", "--quiet-logins")
    from wuye.registry.models import PropertyCompany

    phones = set(Lead.objects.exclude(complainant_phone="").values_list("complainant_phone", flat=True))
    # a company's own published contact number is not a complainant's, even when a demo lead reuses it
    phones -= set(PropertyCompany.objects.values_list("contact_phone", flat=True))
    assert phones, "the demo should have complainants with phones"
    return phones


@pytest.mark.parametrize("username", ["admin", "zhongchu", "city", "company", "committee"])
def test_every_role_can_click_through_without_a_server_error(county, username):
    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    seen = crawl(client)
    assert len(seen) > 5
    assert_plain_chinese(client)
    user = User.objects.get(username=username)
    if user.role in (Role.COMPANY_STAFF, Role.CITY_VIEWER):
        for body in client._last_bodies:  # type: ignore[attr-defined]
            for phone in county:
                assert phone not in body, f"{username} was shown a complainant's phone"


def test_an_owner_and_the_public_click_through_without_a_server_error(county):
    from wuye.registry.models import Owner
    from wuye.testing import make_user

    owner = Owner.objects.filter(ownerships__unit__estate__committees__is_current=True).order_by("id").first()
    public = Client()
    crawl(public)
    owner_client = Client()
    owner_user = User.objects.filter(owner=owner).first() or make_user(Role.OWNER, owner=owner)
    owner_client.force_login(owner_user, backend="django.contrib.auth.backends.ModelBackend")
    crawl(owner_client)
    assert_plain_chinese(public)
    assert_plain_chinese(owner_client)
    for body in public._last_bodies + owner_client._last_bodies:  # type: ignore[attr-defined]
        for phone in county:
            assert phone not in body
