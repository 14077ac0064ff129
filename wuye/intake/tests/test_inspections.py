import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.intake.models import Inspection, Lead, LeadAttachment, QuestionnaireResponse
from wuye.intake.selectors import company_satisfaction, inspection_checklist, questionnaire
from wuye.testing import login, make_user

from .conftest import PDF_BYTES, jpeg_bytes

pytestmark = pytest.mark.django_db


def _all_pass():
    return {f"result_{i['code']}": "pass" for i in inspection_checklist()["items"]}


def test_failed_items_become_leads_with_photos(client, estate, task_force):
    login(client, task_force)
    data = _all_pass()
    data.update(
        {
            "result_fire_lane": "fail",
            "note_fire_lane": "2栋消防通道停了三辆车",
            "result_revenue_notice": "fail",
            "result_elevator_maint": "na",
            "photos_revenue_notice": SimpleUploadedFile("board.jpg", jpeg_bytes(), content_type="image/jpeg"),
        }
    )
    r = client.post(reverse("intake:inspection_new", args=[estate.code]), data)
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.failed_count == 2 and inspection.inspector == task_force
    leads = Lead.objects.filter(channel="inspection").order_by("category_hint")
    assert [lead.category_hint for lead in leads] == ["1.3", "2.3"]
    assert "消防通道畅通" in leads[0].text and "停了三辆车" in leads[0].text
    assert LeadAttachment.objects.filter(lead=leads[1]).count() == 1
    assert AuditEntry.objects.filter(action="inspection.record").exists()
    detail = client.get(r["Location"]).content.decode()
    assert leads[0].tracking_code in detail


def test_missing_result_or_unexplained_failure_is_refused(client, estate, task_force):
    login(client, task_force)
    data = _all_pass()
    del data["result_fire_lane"]
    r = client.post(reverse("intake:inspection_new", args=[estate.code]), data)
    assert r.status_code == 400 and "消防通道畅通" in r.content.decode()
    data = _all_pass() | {"result_fire_lane": "fail"}
    r = client.post(reverse("intake:inspection_new", args=[estate.code]), data)
    assert r.status_code == 400 and "请写明情况或拍照" in r.content.decode()
    bad = _all_pass() | {
        "result_fire_lane": "fail",
        "photos_fire_lane": SimpleUploadedFile("x.jpg", PDF_BYTES, content_type="image/jpeg"),
    }
    r = client.post(reverse("intake:inspection_new", args=[estate.code]), bad)
    assert r.status_code == 400 and "PDF" in r.content.decode()
    assert Inspection.objects.count() == 0 and Lead.objects.count() == 0


def test_only_bureau_inspects(client, estate, company_staff):
    login(client, company_staff)
    assert client.get(reverse("intake:inspection_new", args=[estate.code])).status_code == 403


def _answers(score):
    return {f"q_{q['code']}": str(score) for q in questionnaire()["questions"]}


def test_resident_questionnaire_feeds_results_by_estate_and_company(client, estate, company):
    r = client.post(reverse("intake:survey", args=[estate.code]), _answers(4) | {"idem": "s" * 20})
    assert r.status_code == 200 and "提交成功" in r.content.decode()
    client.post(reverse("intake:survey", args=[estate.code]), _answers(4) | {"idem": "s" * 20})  # retry
    client.post(
        reverse("intake:survey", args=[estate.code]),
        _answers(2) | {"idem": "t" * 20, "problem": "保安经常不在岗，夜里外人随便进出"},
    )
    assert QuestionnaireResponse.objects.count() == 2
    lead = Lead.objects.get(channel="questionnaire")
    assert lead.estate == estate and "保安" in lead.text
    sat = company_satisfaction(company.pk)
    assert sat["n"] == 2 and float(sat["avg"]) == 3.0
    login(client, make_user(Role.CITY_VIEWER))
    page = client.get(reverse("intake:questionnaire_results")).content.decode()
    assert company.name in page and estate.name in page and "3.00" in page


def test_incomplete_questionnaire_is_refused(client, estate):
    data = _answers(5)
    data["q_overall"] = "9"
    r = client.post(reverse("intake:survey", args=[estate.code]), data)
    assert r.status_code == 400 and "1 到 5 分" in r.content.decode()
    assert QuestionnaireResponse.objects.count() == 0


def test_company_staff_cannot_see_questionnaire_results(client, company_staff):
    login(client, company_staff)
    assert client.get(reverse("intake:questionnaire_results")).status_code == 403
