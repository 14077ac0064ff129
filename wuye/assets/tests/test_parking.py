from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.assets import services
from wuye.assets.models import SpaceKind
from wuye.assets.selectors import parking_summary
from wuye.intake.models import Lead
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


def estate_with_spaces():
    company = make_company()
    estate = make_estate(company=company)
    staff = make_user(Role.COMPANY_STAFF, company_id=company.pk)
    services.parking_space_save(
        actor=staff, estate=estate, number="A001", kind=SpaceKind.OWNED, user_label="1栋101"
    )
    services.parking_space_save(
        actor=staff,
        estate=estate,
        number="A002",
        kind=SpaceKind.COMMON,
        user_label="2栋302",
        monthly_rent=Decimal("150"),
    )
    services.parking_space_save(actor=staff, estate=estate, number="A003", kind=SpaceKind.COMMON)
    services.parking_space_save(actor=staff, estate=estate, number="A004", kind=SpaceKind.PUBLIC)
    return estate, company


def test_the_parking_summary_shows_registration_completeness_and_the_expected_rent():
    estate, _ = estate_with_spaces()
    s = parking_summary(estate)
    assert (s["total"], s["registered"], s["completeness"]) == (4, 2, 50)
    assert (s["common_let"], s["expected_rent"]) == (1, Decimal("150.00"))


def test_a_parking_report_is_a_category_4_lead_with_the_facts_and_private_letting_is_2_2(client: Client):
    estate, company = estate_with_spaces()
    url = reverse("assets:parking", kwargs={"code": estate.code})
    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    assert client.post(url, {"problem": "ground_lock", "text": "私装地锁"}).status_code == 403

    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    bad = client.post(url, {"problem": "ground_lock", "text": "地锁", "space_numbers": "A001、Z999"})
    assert bad.status_code == 400 and "本小区没有登记车位：Z999" in bad.content.decode()
    assert not Lead.objects.exists()
    assert (
        client.post(
            url, {"problem": "ground_lock", "text": "A001 装了地锁", "space_numbers": "A001"}
        ).status_code
        == 302
    )
    lead = Lead.objects.get()
    assert lead.category == "4" and lead.evidence["parking"]["spaces"][0]["number"] == "A001"
    assert lead.evidence["parking"]["spaces_total"] == 4

    login(client, make_user(Role.TASK_FORCE))
    client.post(
        url, {"problem": "private_letting", "text": "物业出租共有车位未经表决", "space_numbers": "A002"}
    )
    letting = Lead.objects.exclude(pk=lead.pk).get()
    assert letting.category == "2.2" and letting.evidence["parking"]["spaces"][0]["monthly_rent"] == "150.00"
    page = client.get(url).content.decode()
    assert "登记完整率" in page and "50%" in page and "待分拣线索 2 条" in page
