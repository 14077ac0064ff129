import pytest
from django.db import connection

from wuye.audit.models import AuditEntry
from wuye.kernel.actors import SystemActor
from wuye.oversight import services
from wuye.oversight.calendar import previous_month, report_due_date
from wuye.oversight.models import MonthlyReport, ReportLateness, ReportReminder
from wuye.testing import run_concurrently

from .conftest import World, last_month

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


def test_two_first_clicks_open_one_report():
    w = World()

    def open_it():
        return services.report_draft_open(
            actor=w.staff, company=w.company, estate=w.estate, month=last_month()
        )

    results = run_concurrently(open_it, open_it)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _, created in results) == [False, True]
    assert MonthlyReport.objects.count() == 1


def test_two_concurrent_submits_submit_once():
    w = World()
    report, _ = services.report_draft_open(
        actor=w.staff, company=w.company, estate=w.estate, month=last_month()
    )
    services.report_save(actor=w.staff, report=report, text="进展")
    results = run_concurrently(
        lambda: services.report_submit(actor=w.staff, report=report),
        lambda: services.report_submit(actor=w.staff, report=report),
    )
    assert all(isinstance(r, MonthlyReport) for r in results), results
    assert AuditEntry.objects.filter(action="oversight.report_submit").count() == 1


def test_two_ticks_at_once_record_each_lateness_and_reminder_once():
    w = World()
    job = SystemActor("monthly_reports")
    month = previous_month(last_month())
    from wuye.common.dates import today

    run_concurrently(
        lambda: services.lateness_record(actor=job, on=today()),
        lambda: services.lateness_record(actor=job, on=today()),
    )
    assert ReportLateness.objects.filter(month=month).count() == 3
    due = report_due_date(last_month())
    results = run_concurrently(
        lambda: services.reminders_send(actor=job, on=due),
        lambda: services.reminders_send(actor=job, on=due),
    )
    assert sorted(results) == [0, 3]  # the three estates' companies, reminded by one of the two ticks
    assert ReportReminder.objects.count() == 3
    assert {w.estate.pk, w.estate2.pk, w.other_estate.pk} == set(
        ReportReminder.objects.values_list("estate_id", flat=True)
    )
