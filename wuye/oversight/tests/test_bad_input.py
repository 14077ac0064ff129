"""Garbled parameters get the page or a Chinese error, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse

from wuye.common.errors import DomainError
from wuye.oversight import services
from wuye.testing import login

pytestmark = pytest.mark.django_db


def test_a_garbled_estate_or_notable_id_is_not_found_not_a_crash(world, client):
    login(client, world.staff)
    resp = client.post(reverse("oversight:report_open"), {"estate": "abc", "month": "2026-10"})
    assert resp.status_code == 404
    login(client, world.tf)
    resp = client.post(reverse("oversight:city_report"), {"drop": "²"})
    assert resp.status_code == 404


def test_a_month_out_of_range_falls_back_to_the_default_month(world, client):
    login(client, world.tf)
    for month in ("9999-12", "0001-01", "2026-13"):
        assert client.get(reverse("oversight:reports"), {"month": month}).status_code == 200
        assert client.get(reverse("oversight:city_report"), {"month": month}).status_code == 200


def test_no_report_is_opened_for_a_month_before_the_county_switched_reports_on(world):
    with pytest.raises(DomainError, match="不需在平台报送月报"):
        services.report_draft_open(
            actor=world.staff, company=world.company, estate=world.estate, month=dt.date(2025, 6, 1)
        )
