"""A lead whose estate is not known yet belongs to the county it came in through (issue #19, item 3): the town the
resident named, or the county of the staff who entered or imported it. Another county's desk never sees it; a lead
that no county can claim stays on every bureau's desk to place."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from wuye.accounts.models import Role
from wuye.intake.hotline import hotline_import
from wuye.intake.models import Lead
from wuye.intake.selectors import leads_to_confirm, leads_visible_to
from wuye.registry.models import City, default_county
from wuye.testing import make_company, make_county, make_estate, make_town, make_town_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    class W:
        pass

    w = W()
    w.a = default_county()
    w.b = make_county()
    w.c = make_county("450321", "阳朔县", "YS", city=City.objects.create(code="450300", name="桂林市"))
    w.town_a, w.town_b = make_town(), make_town_in(w.b, "黄姚镇")
    w.estate_a = make_estate(company=make_company(), town=w.town_a, name="阳光花园")
    w.estate_b = make_estate(company=make_company(), town=w.town_b, name="古镇花园")
    w.tf_a = make_user(Role.TASK_FORCE)
    w.tf_b = make_user(Role.TASK_FORCE, county_id=w.b.pk)
    w.city = make_user(Role.CITY_VIEWER)  # the city of A and B
    w.city_c = make_user(Role.CITY_VIEWER, city_id=w.c.city_id)
    w.province = make_user(Role.PROVINCE_VIEWER)
    return w


def _web_report(client, town, text):
    data = {
        "town": town.pk if town else "",
        "estate": "",
        "estate_unknown": "on",
        "address": "新街 18 号旁边的居民楼",
        "text": text,
        "category": "1.1",
        "name": "",
        "phone": "13800001234",
        "idem": "web" + str(abs(hash(text)))[:20].ljust(20, "0"),
    }
    r = client.post(reverse("portal:report"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return Lead.objects.get(text=text)


def test_a_resident_who_names_a_town_reaches_that_county_s_desk_only(client, w):
    lead = _web_report(client, w.town_b, "楼道灯坏了一个月没人修")
    assert lead.estate_id is None and lead.county_id == w.b.pk
    assert lead in leads_visible_to(w.tf_b) and lead in leads_to_confirm(w.tf_b)
    assert lead not in leads_visible_to(w.tf_a) and lead not in leads_to_confirm(w.tf_a)
    assert lead in leads_visible_to(w.city) and lead in leads_visible_to(w.province)
    assert lead not in leads_visible_to(w.city_c)

    # at the desk: county A's task force neither finds it in the queue nor opens it
    client.force_login(w.tf_a)
    assert "楼道灯坏了" not in client.get(reverse("triage:queue")).content.decode()
    assert "楼道灯坏了" not in client.get(reverse("intake:confirm_estates")).content.decode()
    client.force_login(w.tf_b)
    assert "楼道灯坏了" in client.get(reverse("triage:queue")).content.decode()
    assert "楼道灯坏了" in client.get(reverse("intake:confirm_estates")).content.decode()


def test_a_lead_no_county_can_claim_is_on_every_bureau_s_desk(client, w):
    lead = _web_report(client, None, "不知道是哪个小区，路边垃圾堆了很久")
    assert lead.county_id is None
    assert lead in leads_visible_to(w.tf_a) and lead in leads_visible_to(w.tf_b)
    assert lead in leads_visible_to(w.province)
    assert lead not in leads_visible_to(w.city)  # a city viewer reads its counties, and this is in none yet


def test_a_phone_call_entered_without_an_estate_is_held_by_the_staff_s_county(client, w):
    client.force_login(w.tf_b)
    r = client.post(
        reverse("intake:desk"),
        {
            "channel": "phone",
            "estate": "",
            "address": "黄姚镇某路口",
            "text": "来电反映：路口的小区门口污水外溢",
            "category": "1.1",
            "name": "刘先生",
            "phone": "0774-8912345",
            "idem": "desk" + "1" * 20,
        },
    )
    assert r.status_code in (200, 302)
    lead = Lead.objects.get(text__contains="污水外溢")
    assert lead.county_id == w.b.pk
    assert lead not in leads_visible_to(w.tf_a)


def test_a_county_s_12345_file_matches_only_its_own_estates(w):
    wb = Workbook()
    ws = wb.active
    ws.append(["工单号", "来电时间", "来电人", "来电号码", "事发地址", "问题描述", "办结时限"])
    ws.append(
        ["ZP2506030101", "2025-06-03", "张女士", "13812345678", "阳光花园3栋", "3栋电梯一周停运三次", None]
    )
    ws.append(["ZP2506030102", "2025-06-03", "李先生", "13912345678", "古镇花园5栋", "5栋楼顶漏水", None])
    buf = io.BytesIO()
    wb.save(buf)
    report = hotline_import(actor=w.tf_b, data=buf.getvalue(), filename="昭平县12345.xlsx")
    assert not report.errors
    other = Lead.objects.get(text="3栋电梯一周停运三次")
    ours = Lead.objects.get(text="5栋楼顶漏水")
    # 阳光花园 is county A's: county B's file does not hand county A a complaint, its own desk places it
    assert other.estate_id is None and other.county_id == w.b.pk
    assert ours.estate_id == w.estate_b.pk
    assert other not in leads_visible_to(w.tf_a) and other in leads_visible_to(w.tf_b)
