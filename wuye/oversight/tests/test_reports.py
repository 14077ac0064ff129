import datetime as dt

import pytest
from django.urls import reverse

from wuye.audit.models import AuditEntry
from wuye.common.dates import today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.kernel.actors import SystemActor
from wuye.oversight import services
from wuye.oversight.calendar import previous_month, report_due_date
from wuye.oversight.models import (
    MonthlyReport,
    MonthlyReportAttachment,
    ReportLateness,
    ReportReminder,
    ReportStatus,
)
from wuye.testing import login

from .conftest import last_month, png

pytestmark = pytest.mark.django_db
JOB = SystemActor("monthly_reports")


def open_report(w, estate=None, month=None):
    report, _ = services.report_draft_open(
        actor=w.staff, company=w.company, estate=estate or w.estate, month=month or last_month()
    )
    return report


def test_a_draft_is_prefilled_with_the_month_s_figures_and_each_open_case_s_progress_line(world):
    w = world
    open_case = w.rectifying()  # this month: no figure of last month counts it, but it is open now
    w.accepted()
    w.rectifying(estate=w.other_estate)  # another company's
    report = open_report(w)
    assert report.figures == {k: 0 for k in report.figures} and len(report.figures) == 6
    assert report.due_date == report_due_date(last_month())
    assert [line["number"] for line in report.progress_lines] == [open_case.number]
    line = report.progress_lines[0]
    assert line["status"] == "整改中" and line["category"].startswith("1.1")
    assert "楼道垃圾" not in str(report.progress_lines)  # the complaint text stays in the ledger


def test_the_prefill_counts_received_rectified_submitted_accepted_and_returned(world, settings):
    from wuye.cases import services as cases
    from wuye.oversight.selectors import month_figures

    w = world
    a = w.accepted()
    b = w.rectifying()
    cases.case_submit(actor=w.staff, case=b, progress="已整改", attachments=[png()])
    cases.case_return(actor=w.tf, case=b, reason="照片不清楚")
    w.case()
    w.case(estate=w.other_estate)  # another company's estate: not counted
    figures = month_figures(company_id=w.company.pk, estate_id=w.estate.pk, month=today().replace(day=1))
    assert figures == {
        "received": 3,
        "rectified": 2,
        "submitted": 2,
        "accepted": 1,
        "returned": 1,
        "overdue": 0,
    }
    assert a.status == "accepted"


def test_company_fills_saves_and_submits_through_the_page(world, client):
    w = world
    login(client, w.staff)
    page = client.get(reverse("oversight:reports") + f"?month={last_month():%Y-%m}")
    assert page.status_code == 200 and w.estate.name in page.content.decode()
    resp = client.post(
        reverse("oversight:report_open"), {"estate": w.estate.pk, "month": f"{last_month():%Y-%m}"}
    )
    report = MonthlyReport.objects.get(company=w.company, estate=w.estate)
    assert resp.status_code == 302 and resp["Location"] == reverse("oversight:report", args=[report.pk])
    url = reverse("oversight:report", args=[report.pk])
    resp = client.post(url, {"action": "save", "text": "本月完成楼道清理 3 处", "attachments": [png()]})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.text.startswith("本月完成")
    assert MonthlyReportAttachment.objects.filter(report=report).count() == 1
    resp = client.post(url, {"action": "submit", "text": "本月完成楼道清理 3 处"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.first_submitted_at is not None
    assert AuditEntry.objects.filter(action="oversight.report_submit", object_id=str(report.pk)).exists()
    att = MonthlyReportAttachment.objects.get(report=report)
    assert client.get(reverse("oversight:report_attachment", args=[att.pk])).status_code == 200


def test_submitting_an_empty_report_shows_a_chinese_error_and_changes_nothing(world, client):
    w = world
    report = open_report(w)
    login(client, w.staff)
    resp = client.post(reverse("oversight:report", args=[report.pk]), {"action": "submit", "text": ""})
    assert resp.status_code == 200
    assert "请先填写工作进展和成效再报送" in resp.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_bad_attachment_is_refused_by_content(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = world
    report = open_report(w)
    login(client, w.staff)
    fake = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    resp = client.post(
        reverse("oversight:report", args=[report.pk]), {"action": "save", "text": "x", "attachments": [fake]}
    )
    assert resp.status_code == 200 and "不是有效的" in resp.content.decode()
    assert not MonthlyReportAttachment.objects.exists()
    report.refresh_from_db()
    assert report.text == ""


def test_task_force_returns_with_comments_then_the_company_resubmits_and_it_is_accepted(world, client):
    w = world
    report = open_report(w)
    services.report_save(actor=w.staff, report=report, text="进展")
    services.report_submit(actor=w.staff, report=report)
    first = MonthlyReport.objects.get(pk=report.pk).first_submitted_at
    login(client, w.tf)
    url = reverse("oversight:report", args=[report.pk])
    resp = client.post(url, {"action": "return", "comment": ""})
    assert "退回时请写明修改意见" in resp.content.decode()
    client.post(url, {"action": "return", "comment": "请补充电梯维保情况"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "请补充电梯维保情况"
    services.report_save(actor=w.staff, report=report, text="进展（已补充电梯维保情况）")
    services.report_submit(actor=w.staff, report=report)
    report.refresh_from_db()
    assert (
        report.status == ReportStatus.SUBMITTED and report.first_submitted_at == first
    )  # punctuality: first
    client.post(url, {"action": "accept", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    with pytest.raises(InvalidTransition):
        services.report_save(actor=w.staff, report=report, text="改")


def test_a_report_is_submitted_once_a_second_click_changes_nothing(world):
    w = world
    report = open_report(w)
    services.report_save(actor=w.staff, report=report, text="进展")
    services.report_submit(actor=w.staff, report=report)
    services.report_submit(actor=w.staff, report=report)
    assert AuditEntry.objects.filter(action="oversight.report_submit").count() == 1


def test_wrong_roles_are_refused(world, client):
    w = world
    report = open_report(w)
    services.report_save(actor=w.staff, report=report, text="进展")
    with pytest.raises(NotAllowed):
        services.report_submit(actor=w.other_staff, report=report)
    with pytest.raises(NotAllowed):
        services.report_submit(actor=w.tf, report=report)
    services.report_submit(actor=w.staff, report=report)
    with pytest.raises(NotAllowed):
        services.report_accept(actor=w.staff, report=report)
    with pytest.raises(NotAllowed):
        services.report_return(actor=w.city, report=report, comment="x")
    login(client, w.other_staff)
    assert client.get(reverse("oversight:report", args=[report.pk])).status_code == 404
    login(client, w.committee)
    assert client.get(reverse("oversight:reports")).status_code == 403
    login(client, w.city)
    assert client.get(reverse("oversight:report", args=[report.pk])).status_code == 200
    resp = client.post(reverse("oversight:report", args=[report.pk]), {"action": "accept"})
    assert resp.status_code == 403
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_company_cannot_open_a_report_for_an_estate_it_does_not_serve_or_for_this_month(world):
    w = world
    with pytest.raises(DomainError, match="不由本企业服务"):
        services.report_draft_open(
            actor=w.staff, company=w.company, estate=w.other_estate, month=last_month()
        )
    with pytest.raises(DomainError, match="已经结束的月份"):
        services.report_draft_open(actor=w.staff, company=w.company, estate=w.estate, month=today())
    assert not MonthlyReport.objects.exists()


# --- reminders and lateness ---------------------------------------------------------------------------------------


def test_reminders_go_three_days_before_and_on_the_due_day_once_each_and_not_to_who_submitted(world):
    w = world
    month = last_month()
    due = report_due_date(month)
    done = open_report(w, estate=w.estate2)
    services.report_save(actor=w.staff, report=done, text="进展")
    services.report_submit(actor=w.staff, report=done)
    assert services.reminders_send(actor=JOB, on=due - dt.timedelta(days=5)) == 0
    before = due - dt.timedelta(days=3)
    assert (
        services.reminders_send(actor=JOB, on=before) == 2
    )  # estate (company) and other_estate (other company)
    assert services.reminders_send(actor=JOB, on=before) == 0
    assert services.reminders_send(actor=JOB, on=due) == 2
    assert services.reminders_send(actor=JOB, on=due) == 0
    from wuye.notify.models import Notification

    to_staff = Notification.objects.filter(user=w.staff).order_by("id")
    assert to_staff.count() == 2  # estate2 submitted: one before, one on the day, for the estate only
    assert w.estate.name in to_staff[0].text and "应于" in to_staff[0].text
    assert "今天" in to_staff[1].text
    sent = set(ReportReminder.objects.values_list("estate_id", "kind"))
    assert sent == {
        (w.estate.pk, "before"),
        (w.other_estate.pk, "before"),
        (w.estate.pk, "due_day"),
        (w.other_estate.pk, "due_day"),
    }


def test_late_and_missing_reports_are_recorded_once(world):
    w = world
    month = previous_month(last_month())  # its due date is in the last month: passed
    due = report_due_date(month)
    assert due < today()
    late = open_report(w, month=month)
    services.report_save(actor=w.staff, report=late, text="迟报")
    services.report_submit(actor=w.staff, report=late)  # today: after the due date
    on = today()
    assert services.lateness_record(actor=JOB, on=on) >= 3
    rows = {r.estate_id: r for r in ReportLateness.objects.filter(month=month)}
    assert rows[w.estate.pk].missing is False and rows[w.estate.pk].days_late == (today() - due).days
    assert rows[w.estate2.pk].missing is True
    assert rows[w.other_estate.pk].missing is True
    count = ReportLateness.objects.count()
    assert services.lateness_record(actor=JOB, on=on) == 0
    # a missing report submitted later does not add a second event for the month
    missing = open_report(w, estate=w.estate2, month=month)
    services.report_save(actor=w.staff, report=missing, text="补报")
    services.report_submit(actor=w.staff, report=missing)
    assert services.lateness_record(actor=JOB, on=on + dt.timedelta(days=1)) == 0
    assert ReportLateness.objects.count() == count
    assert ReportLateness.objects.filter(month=month, estate=w.estate2).count() == 1


def test_a_report_on_time_is_not_recorded_and_the_task_force_sees_who_is_late(world, client):
    w = world
    month = previous_month(last_month())
    due = report_due_date(month)
    login(client, w.tf)
    page = client.get(reverse("oversight:reports") + f"?month={month:%Y-%m}").content.decode()
    assert w.company.name in page and "未报送" in page
    assert str((today() - due).days) in page


def test_the_work_page_shows_the_company_its_reports_owed_and_the_task_force_those_to_review(world, client):
    w = world
    login(client, w.staff)
    html = client.get("/").content.decode()
    assert "企业月报" in html and f"{last_month().month}月月报待报送" in html
    report = open_report(w)
    services.report_save(actor=w.staff, report=report, text="进展")
    services.report_submit(actor=w.staff, report=report)
    login(client, w.tf)
    html = client.get("/").content.decode()
    assert "待审核月报" in html
