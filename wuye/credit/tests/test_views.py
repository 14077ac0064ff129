import datetime as dt

from django.test import Client
from django.urls import reverse

from wuye.common.dates import today
from wuye.credit.models import CreditEvent, CreditRecord, CreditRuleVersion
from wuye.credit.rules import rule_in_force
from wuye.kernel.conf import county_setting
from wuye.testing import login


def _rule_post(**over):
    data = {
        "effective_from": (today() + dt.timedelta(days=1)).isoformat(),
        "base_score": "80",
        "band_AAA": "95",
        "band_AA": "85",
        "band_A": "70",
        "veto_types": ["fund_misuse", "refuse_to_leave", "safety_incident"],
        "note": "提高行政处罚扣分",
    }
    data |= {f"points_{k}": str(v) for k, v in county_setting("CREDIT_EVENT_POINTS").items()}
    data["points_penalty"] = "-15"
    return data | over


def test_the_office_head_changes_the_rules_on_a_page(world):
    admin = login(Client(), world.admin)
    page = admin.get(reverse("credit:rules")).content.decode()
    assert "新建规则版本" in page and "分值：行政处罚" in page
    resp = admin.post(reverse("credit:rules"), _rule_post(band_AA="99"))
    assert "分数线须逐级降低" in resp.content.decode() and not CreditRuleVersion.objects.exists()
    resp = admin.post(reverse("credit:rules"), _rule_post())
    assert resp.status_code == 302
    assert rule_in_force(today() + dt.timedelta(days=1)).points_of("penalty") == -15
    assert rule_in_force(today()).points_of("penalty") == -10
    tf = login(Client(), world.tf)
    assert "新建规则版本" not in tf.get(reverse("credit:rules")).content.decode()
    assert tf.post(reverse("credit:rules"), _rule_post()).status_code == 404
    assert CreditRuleVersion.objects.count() == 1


def test_the_task_force_enters_a_veto_and_it_counts_at_once(world):
    tf = login(Client(), world.tf)
    data = {
        "type": "safety_incident",
        "company": world.company.pk,
        "estate": world.estate.pk,
        "date": (today() + dt.timedelta(days=2)).isoformat(),
        "text": "发生电梯困人致伤的重大安全责任事故",
    }
    resp = tf.post(reverse("credit:record_new"), data)
    assert "日期不能晚于今天" in resp.content.decode() and not CreditRecord.objects.exists()
    resp = tf.post(reverse("credit:record_new"), data | {"date": today().isoformat()})
    assert resp.status_code == 302
    assert CreditEvent.objects.get().type == "safety_incident"
    page = tf.get(reverse("credit:bureau")).content.decode()
    assert "一票否决" in page
    assert login(Client(), world.staff).get(reverse("credit:record_new")).status_code == 403


def test_the_company_sees_its_own_dossier_only(world):
    world.penalty()
    world.collect()
    staff = login(Client(), world.staff)
    own = staff.get(reverse("credit:dossier", args=[world.company.credit_code]))
    assert own.status_code == 200 and "提出异议" in own.content.decode()
    assert staff.get(reverse("credit:dossier", args=[world.other_company.credit_code])).status_code == 404
    city = login(Client(), world.city).get(reverse("credit:dossier", args=[world.company.credit_code]))
    text = city.content.decode()
    assert "服务的小区和合同" in text and "金山花园" in text and "行政处罚" in text and "提出异议" not in text


def test_entering_a_record_makes_its_own_event_and_leaves_the_other_sources_to_the_daily_collection(world):
    """The clerk's request records the fact they entered, once, with the company told at once; a penalty waiting
    in the ledger is the daily collection's, not a side effect of an unrelated form."""
    world.penalty()  # a fact another source would turn into an event
    tf = login(Client(), world.tf)
    data = {
        "type": "safety_incident",
        "company": world.company.pk,
        "estate": world.estate.pk,
        "date": today().isoformat(),
        "text": "发生电梯困人致伤的重大安全责任事故",
    }
    assert tf.post(reverse("credit:record_new"), data).status_code == 302
    assert list(CreditEvent.objects.values_list("type", flat=True)) == ["safety_incident"]
    world.collect()
    assert CreditEvent.objects.filter(type="safety_incident").count() == 1  # the collection keys it the same
    assert CreditEvent.objects.count() == 2
