import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.assets import checks, services
from wuye.assets.models import Elevator, ElevatorMaintenance, FaultKind, FundingSource, RenewalStage
from wuye.common.dates import now, today
from wuye.intake.models import Lead
from wuye.testing import login, make_company, make_estate, make_user

from .helpers import DEMO, elevator, register_xlsx

pytestmark = pytest.mark.django_db


def run_elevator_checks() -> dict[str, int]:
    return checks.run(checks.ELEVATOR_CHECKS)


# --- the register import ----------------------------------------------------------------------------------------


def test_import_reports_bad_rows_by_row_column_and_reason_and_a_second_import_changes_nothing():
    estate = make_estate(code="ZS9001")
    future = (today() + dt.timedelta(days=10)).isoformat()
    data = register_xlsx(
        [
            [
                "梯11A0001",
                "ZS9001",
                "1栋",
                "1单元",
                "日立",
                "HGP",
                "2008-05-01",
                "2026-03-01",
                "合格",
                "安达电梯",
            ],
            [
                "梯11A0002",
                "ZS9001",
                "2栋",
                "1单元",
                "通力",
                "KONE",
                dt.date(2015, 6, 1),
                None,
                "",
                "安达电梯",
            ],
            ["梯11A0003", "ZS9999", "1栋", "", "", "", "2010-01-01", "", "合格", ""],  # unknown estate
            ["梯11A0004", "ZS9001", "3栋", "", "", "", future, "", "合格", ""],  # installed in the future
            ["梯11A0005", "ZS9001", "3栋", "", "", "", "去年", "", "合格", ""],  # not a date
            ["梯11A0006", "ZS9001", "3栋", "", "", "", "2012-01-01", "", "基本合格", ""],  # unknown result
        ]
    )
    first = services.import_elevators(actor=make_user(Role.TASK_FORCE), data=data)
    assert (first.rows, first.created) == (6, 2)
    assert [(e.row, e.column) for e in first.errors] == [
        (5, "小区编码"),
        (6, "安装日期"),
        (7, "安装日期"),
        (8, "检验结论"),
    ]
    assert "晚于今天" in first.errors[1].reason and "不是有效日期" in first.errors[2].reason
    assert set(Elevator.objects.values_list("reg_code", flat=True)) == {"梯11A0001", "梯11A0002"}
    assert estate.elevators.get(reg_code="梯11A0001").building.name == "1栋"

    again = services.import_elevators(actor=make_user(Role.TASK_FORCE), data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_the_import_page_is_the_bureaus_and_shows_the_bad_rows(client: Client):
    make_estate(code="ZS9002")
    data = register_xlsx([["梯X1", "ZS9002", "1栋", "", "", "", "2099-01-01", "", "合格", ""]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("assets:elevator_import")
    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    assert client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)}).status_code == 403
    login(client, make_user(Role.TASK_FORCE))
    resp = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)})
    assert "第 3 行" in resp.content.decode() and "安装日期不能晚于今天" in resp.content.decode()
    assert not Elevator.objects.exists()


def test_an_install_date_after_today_is_refused_in_chinese():
    with pytest.raises(Exception, match="安装日期不能晚于今天"):
        services.elevator_save(
            actor=DEMO, estate=make_estate(), reg_code="梯F1", installed_on=today() + dt.timedelta(days=1)
        )
    assert not Elevator.objects.exists()


# --- maintenance entered by the company -------------------------------------------------------------------------


def test_the_serving_company_enters_maintenance_and_another_company_cannot(client: Client):
    company = make_company()
    estate = make_estate(company=company)
    e = elevator(estate, maintained_days_ago=None)
    url = reverse("assets:elevator", kwargs={"pk": e.pk})
    form = {
        "op": "maintenance",
        "done_on": today().isoformat(),
        "done_by": "安达电梯 李师傅",
        "items": "半月保养",
    }

    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    assert client.post(url, form).status_code == 404  # not their estate: not even visible
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    assert client.post(url, form).status_code == 403  # the committee reads, the company enters
    assert not ElevatorMaintenance.objects.exists()

    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    assert client.post(url, form).status_code == 302
    assert e.maintenances.get().done_by == "安达电梯 李师傅"


def test_a_maintenance_date_in_the_future_gets_a_chinese_error_and_nothing_is_stored(client: Client):
    company = make_company()
    e = elevator(make_estate(company=company), maintained_days_ago=None)
    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    resp = client.post(
        reverse("assets:elevator", kwargs={"pk": e.pk}),
        {"op": "maintenance", "done_on": (today() + dt.timedelta(days=2)).isoformat(), "done_by": "安达电梯"},
    )
    assert resp.status_code == 400
    assert "维保日期不能晚于今天" in resp.content.decode()
    assert not ElevatorMaintenance.objects.exists()


def test_the_api_records_maintenance_for_the_company_and_refuses_a_future_date(client: Client):
    company = make_company()
    e = elevator(make_estate(company=company), maintained_days_ago=None)
    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    url = reverse("assets-api-maintenance", kwargs={"pk": e.pk})
    bad = client.post(
        url, {"done_on": (today() + dt.timedelta(days=1)).isoformat(), "done_by": "安达"}, "application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "done_on" and "晚于今天" in bad.json()["detail"]
    ok = client.post(url, {"done_on": today().isoformat(), "done_by": "安达"}, "application/json")
    assert ok.status_code == 201 and ok.json()["created"] is True
    again = client.post(url, {"done_on": today().isoformat(), "done_by": "安达"}, "application/json")
    assert again.status_code == 200 and e.maintenances.count() == 1
    listed = client.get(reverse("assets-api-elevators")).json()
    assert [r["reg_code"] for r in listed] == [e.reg_code]


# --- the checks -------------------------------------------------------------------------------------------------


def leads(prefix: str) -> list[Lead]:
    return list(Lead.objects.filter(source_ref__startswith=prefix).order_by("pk"))


def test_no_maintenance_for_more_than_15_days_is_a_3_1_lead_once_and_the_clean_elevator_is_left_alone():
    estate = make_estate(company=make_company())
    lapsed = elevator(estate, code="梯LAPSE", maintained_days_ago=20)
    elevator(estate, code="梯CLEAN", maintained_days_ago=14)
    run_elevator_checks()
    found = leads("elevator:maintenance:")
    assert len(found) == 1 and found[0].category == "3.1" and not found[0].urgent
    assert lapsed.reg_code in found[0].source_ref and "超过 15 天未维护保养" in found[0].text
    before = [(lead.pk, lead.updated_at) for lead in Lead.objects.all()]
    run_elevator_checks()
    assert [(lead.pk, lead.updated_at) for lead in Lead.objects.all()] == before


def test_three_faults_in_30_days_or_an_entrapment_is_an_urgent_3_1_lead():
    estate = make_estate(company=make_company())
    noisy, trapped, calm = (elevator(estate, code=c) for c in ("梯NOISY", "梯TRAP", "梯CALM"))
    t = now() - dt.timedelta(hours=2)
    for d in (1, 10, 20):
        services.fault_record(
            actor=DEMO, elevator=noisy, kind=FaultKind.FAULT, occurred_at=t - dt.timedelta(days=d)
        )
    for d in (1, 40):  # two faults, one outside the window: not a finding
        services.fault_record(
            actor=DEMO, elevator=calm, kind=FaultKind.FAULT, occurred_at=t - dt.timedelta(days=d)
        )
    services.fault_record(
        actor=DEMO,
        elevator=trapped,
        kind=FaultKind.ENTRAPMENT,
        occurred_at=t - dt.timedelta(days=2),
        arrived_at=t - dt.timedelta(days=2) + dt.timedelta(minutes=35),
    )
    run_elevator_checks()
    urgent = leads("elevator:faults:") + leads("elevator:entrapment:")
    assert [(lead.category, lead.urgent) for lead in urgent] == [("3.1", True), ("3.1", True)]
    assert "梯NOISY" in urgent[0].source_ref and "3 次" in urgent[0].text
    assert "梯TRAP" in urgent[1].source_ref and "35 分钟" in urgent[1].text
    run_elevator_checks()
    assert len(leads("elevator:faults:") + leads("elevator:entrapment:")) == 2


def test_old_or_failed_elevators_without_a_renewal_are_one_3_2_lead_per_estate():
    estate = make_estate(company=make_company())
    elevator(estate, code="梯OLD", years=16)
    young = elevator(estate, code="梯YOUNG", years=3)
    services.elevator_save(
        actor=DEMO,
        estate=estate,
        reg_code=young.reg_code,
        installed_on=young.installed_on,
        last_inspection_on=today(),
        inspection_result="fail",
    )
    other = make_estate(company=make_company())
    elevator(other, code="梯OLD2", years=16)
    Elevator.objects.filter(reg_code="梯OLD2").update(stage=RenewalStage.FUNDED)  # renewal under way: clean
    run_elevator_checks()
    found = leads("elevator:renewal_due:")
    assert len(found) == 1 and found[0].estate_id == estate.pk and found[0].category == "3.2"
    assert {r["elevator"] for r in found[0].evidence["elevators"]} == {"梯OLD", "梯YOUNG"}
    run_elevator_checks()
    assert len(leads("elevator:renewal_due:")) == 1


def test_a_renewal_voted_without_funds_for_more_than_90_days_is_a_3_3_lead():
    estate = make_estate(company=make_company())
    stuck, fresh = elevator(estate, code="梯STUCK", years=18), elevator(estate, code="梯FRESH", years=18)
    Elevator.objects.filter(pk=stuck.pk).update(
        stage=RenewalStage.VOTED,
        stage_since=today() - dt.timedelta(days=91),
        funding_source=FundingSource.FUND,
    )
    Elevator.objects.filter(pk=fresh.pk).update(
        stage=RenewalStage.APPLIED, stage_since=today() - dt.timedelta(days=30)
    )
    run_elevator_checks()
    found = leads("elevator:renewal_funds:")
    assert [lead.source_ref for lead in found] == ["elevator:renewal_funds:梯STUCK"]
    assert found[0].category == "3.3"
    run_elevator_checks()
    assert len(leads("elevator:renewal_funds:")) == 1


def test_the_owners_voted_stage_needs_a_passed_motion():
    estate = make_estate(company=make_company())
    e = elevator(estate, years=18)
    committee = make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk)
    with pytest.raises(Exception, match="业主表决同意后才能进入此阶段"):
        services.renewal_set(actor=committee, elevator=e, stage=RenewalStage.VOTED)
    services.renewal_set(actor=committee, elevator=e, stage=RenewalStage.NEEDED)
    e.refresh_from_db()
    assert e.stage == RenewalStage.NEEDED and e.stage_since == today()


def test_the_county_view_lists_the_worst_estates_first_and_exports_xlsx(client: Client):
    good, bad = (
        make_estate(company=make_company(), name="新小区"),
        make_estate(company=make_company(), name="老小区"),
    )
    elevator(good, years=2)
    elevator(bad, years=22)
    elevator(bad, years=16)
    login(client, make_user(Role.CITY_VIEWER))
    page = client.get(reverse("assets:elevator_county")).content.decode()
    assert page.index("老小区") < page.index("新小区")
    xlsx = client.get(reverse("assets:elevator_county") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"
    rows = client.get(reverse("assets-api-county")).json()
    assert rows[0]["estate_name"] == "老小区" and rows[0]["renewal_due_not_started"] == 2
    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    assert client.get(reverse("assets:elevator_county")).status_code == 403


def test_the_public_estate_page_shows_each_elevators_age_last_maintenance_and_renewal_stage(client: Client):
    estate = make_estate(company=make_company())
    e = elevator(estate, years=17, maintained_days_ago=2)
    page = client.get(reverse("portal:estate", kwargs={"code": estate.code})).content.decode()
    last = today() - dt.timedelta(days=2)
    assert "电梯" in page and ">17<" in page and f"{last.year}年{last.month}月{last.day}日" in page
    assert (
        RenewalStage(e.stage).label in page and e.reg_code not in page
    )  # no registry internals on the public page
