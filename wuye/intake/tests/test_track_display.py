"""The tracking page as a resident reads it: a code typed in groups, one field per id, states in Chinese."""

import re

import pytest
from django.urls import reverse

from wuye.cases import services as cases

from .test_track import _close, lead  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["{a}-{b}", "{a} {b}", "{a}－{b}", " {a}—{b} "])
def test_a_code_typed_with_a_hyphen_or_space_is_found(client, lead, typed):  # noqa: F811
    code = lead.tracking_code
    resp = client.get(reverse("intake:track"), {"code": typed.format(a=code[:5].lower(), b=code[5:])})
    assert resp.status_code == 302 and resp["Location"].endswith(f"/track/{code}/")


def test_the_closed_page_has_each_field_id_once_and_no_english_state(
    client,
    lead,  # noqa: F811
    task_force,
    company_staff,
):
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    _close(case, task_force, company_staff)
    html = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "not_fixed_comment" in html and "id_comment" in html
    for word in ("received", "verifying", "rectifying", "submitted", "accepted"):
        assert word not in re.sub(r"<[^>]+>", " ", html)
