"""我要反映问题 without a QR code: the county web form, the hotline and mailbox on public pages, the estate list."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.intake.models import Channel, Lead
from wuye.testing import make_company, make_estate, make_town, make_user, run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    town, other = make_town("钟山镇"), make_town("回龙镇")
    sun = make_estate(company=make_company(), name="阳光花园", town=town)
    make_estate(name="阳光小区", town=other)
    make_estate(name="翠竹苑", town=town)
    return {"town": town, "other": other, "sun": sun}


def post(client, **data):
    fields = {"text": "3栋电梯一周停了三次，物业不管", "idem": uuid.uuid4().hex, "category": ""} | data
    return client.post(reverse("portal:report"), fields)


def test_the_public_home_leads_to_the_web_form_with_the_hotline_and_mailbox(client, county, settings):
    settings.WUYE = settings.WUYE | {"HOTLINE": "0774-1234567", "MAILBOX": "ts@example.cn"}
    home = client.get("/").content.decode()
    assert reverse("portal:report") in home and "0774-1234567" in home and "ts@example.cn" in home
    for url in (reverse("intake:track"), reverse("portal:estates"), reverse("portal:report")):
        page = client.get(url).content.decode()
        assert "0774-1234567" in page and "ts@example.cn" in page, url


def test_a_resident_files_by_estate_name_and_gets_a_tracking_code(client, county):
    resp = post(client, estate="阳光花园", phone="13812345678", name="王女士")
    lead = Lead.objects.get()
    assert resp.status_code == 302 and resp["Location"].startswith(f"/track/{lead.tracking_code}/")
    assert lead.channel == Channel.WEB and lead.estate == county["sun"] and not lead.estate_needs_confirmation
    assert lead.complainant_phone == "13812345678"


def test_pinyin_initials_and_the_town_pick_out_one_estate(client, county):
    assert post(client, estate="ygh", town=county["town"].pk).status_code == 302
    assert Lead.objects.get().estate == county["sun"]


def test_an_ambiguous_name_asks_the_resident_to_choose_and_writes_nothing(client, county):
    resp = post(client, estate="阳光")
    page = resp.content.decode()
    assert resp.status_code == 400 and "找到多个可能的小区" in page
    assert 'name="estate_code" value="' + county["sun"].code + '"' in page and "阳光小区" in page
    assert not Lead.objects.exists()
    assert post(client, estate="阳光", estate_code=county["sun"].code).status_code == 302
    assert Lead.objects.get().estate == county["sun"]


def test_an_unknown_estate_is_refused_with_the_field_named(client, county):
    resp = post(client, estate="不存在的小区")
    assert resp.status_code == 400 and "小区：没有找到这个小区" in resp.content.decode()
    assert not Lead.objects.exists()


def test_not_knowing_the_estate_needs_an_address_and_leaves_it_to_the_task_force(client, county):
    resp = post(client, estate_unknown="on")
    assert resp.status_code == 400 and "地址或位置（不知道小区时必填）：" in resp.content.decode()
    assert post(client, estate_unknown="on", address="钟山镇新华路18号").status_code == 302
    lead = Lead.objects.get()
    assert lead.estate is None and lead.estate_needs_confirmation and lead.address == "钟山镇新华路18号"


def test_empty_text_is_refused_and_nothing_is_written(client, county):
    resp = post(client, estate="阳光花园", text="  ")
    assert resp.status_code == 400 and "遇到了什么问题？：" in resp.content.decode()
    assert not Lead.objects.exists()


def test_a_logged_in_owner_files_as_themselves(client, county):
    owner = make_user(Role.OWNER)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert post(client, estate="阳光花园").status_code == 302
    assert Lead.objects.get().created_by == owner


@pytest.mark.django_db(transaction=True)
def test_a_double_submission_makes_one_lead(county):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")
    key = uuid.uuid4().hex

    def submit():
        return post(Client(), estate="阳光花园", idem=key).status_code

    assert run_concurrently(submit, submit) == [302, 302]
    assert Lead.objects.count() == 1


def test_the_estate_list_finds_by_town_and_initials_and_links_the_disclosures(client, county):
    page = client.get(reverse("portal:estates"), {"q": "ygh"}).content.decode()
    assert "阳光花园" in page and "翠竹苑" not in page and "尚未公示" in page
    page = client.get(reverse("portal:estates"), {"town": county["other"].pk}).content.decode()
    assert ">阳光小区</a>" in page and ">阳光花园</a>" not in page
    assert reverse("portal:estate", args=[county["sun"].code]) not in page
    assert (
        reverse("intake:qr_form", args=[county["sun"].code])
        in client.get(reverse("portal:estates")).content.decode()
    )
