import pytest
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.intake.models import Lead
from wuye.testing import login, make_estate, make_user

pytestmark = pytest.mark.django_db


def _data(**extra):
    data = {
        "channel": "phone",
        "estate": "",
        "text": "来电反映：小区消防通道被车辆堵住",
        "category": "1.3",
        "name": "刘先生",
        "phone": "0774-8912345",
        "idem": "desk" + "0" * 20,
    }
    data.update(extra)
    return data


def test_task_force_enters_a_phone_call_with_estate_by_pinyin_initials(client, estate, task_force):
    login(client, task_force)
    r = client.post(reverse("intake:desk"), _data(estate="yghy"))
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert lead.estate == estate and lead.channel == "phone" and lead.created_by == task_force
    assert lead.complainant_phone == "0774-8912345" and not lead.estate_needs_confirmation
    follow = client.get(r["Location"]).content.decode()
    assert lead.tracking_code in follow


def test_estate_picked_from_list_label(client, estate, task_force):
    login(client, task_force)
    client.post(
        reverse("intake:desk"), _data(estate=f"{estate.name}（{estate.code}）", channel="collection_station")
    )
    assert Lead.objects.get().estate == estate


def test_ambiguous_estate_is_explained_and_nothing_saved(client, estate, task_force, company):
    make_estate(company=company, name="阳光苑")
    login(client, task_force)
    r = client.post(reverse("intake:desk"), _data(estate="阳光"))
    assert r.status_code == 400 and "有多个小区" in r.content.decode()
    assert Lead.objects.count() == 0


def test_without_estate_an_address_is_required_and_flags_confirmation(client, task_force, db):
    login(client, task_force)
    r = client.post(reverse("intake:desk"), _data())
    assert r.status_code == 400 and "请选择小区" in r.content.decode()
    client.post(reverse("intake:desk"), _data(address="钟山镇某路某小区"))
    assert Lead.objects.get().estate_needs_confirmation


def test_company_staff_and_owners_cannot_use_the_desk(client, company_staff, db):
    login(client, company_staff)
    assert client.get(reverse("intake:desk")).status_code == 403
    client.logout()
    assert client.get(reverse("intake:desk")).status_code == 302


def test_confirm_estate_of_flagged_lead(client, estate, task_force):
    login(client, task_force)
    client.post(reverse("intake:desk"), _data(address="不知名地址"))
    lead = Lead.objects.get()
    page = client.get(reverse("intake:confirm_estates")).content.decode()
    assert lead.tracking_code in page
    client.post(reverse("intake:confirm_estates"), {"lead": lead.pk, "estate": estate.code})
    lead.refresh_from_db()
    assert lead.estate == estate and not lead.estate_needs_confirmation


def test_city_viewer_cannot_confirm(client, db):
    login(client, make_user(Role.CITY_VIEWER))
    assert client.get(reverse("intake:confirm_estates")).status_code == 403


@pytest.mark.parametrize("value", ["abc", ""])
def test_confirm_with_a_garbled_lead_id_is_404_not_500(client, estate, task_force, value):
    login(client, task_force)
    r = client.post(reverse("intake:confirm_estates"), {"lead": value, "estate": estate.code})
    assert r.status_code == 404
