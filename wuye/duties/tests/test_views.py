"""Who may do what (only the company enters; the task force reviews; the public sees the public part), and bad
input refused with a Chinese message on the field and nothing stored."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from wuye.accounts.models import Role
from wuye.common.errors import NotAllowed
from wuye.duties import services
from wuye.duties.models import ConfinedSpaceWork, DisclosureItem, Drill, EmergencySupply
from wuye.testing import login, make_company, make_estate, make_user

from .factories import World

pytestmark = pytest.mark.django_db


def _url(w: World, kind: str) -> str:
    return f"/duties/estates/{w.estate.code}/new/{kind}/"


def test_the_company_enters_a_drill_and_it_is_audited(client):
    w = World()
    login(client, w.staff)
    resp = client.post(
        _url(w, "drill"),
        {"kind": "drill", "plan_kind": "fire", "held_on": w.ago(3).isoformat(), "attendance": "30"},
    )
    assert resp.status_code == 302
    drill = Drill.objects.get()
    assert (drill.company_id, drill.entered_by_id) == (w.company.pk, w.staff.pk)
    from wuye.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="duties.drill_record", object_id=str(drill.pk)).exists()


def test_a_drill_dated_in_the_future_is_refused(client):
    w = World()
    login(client, w.staff)
    resp = client.post(
        _url(w, "drill"),
        {"kind": "drill", "plan_kind": "fire", "held_on": w.ago(-2).isoformat(), "attendance": "30"},
    )
    assert resp.status_code == 200
    assert "不能晚于今天" in resp.context["form"].errors["held_on"][0]
    assert not Drill.objects.exists()


def test_a_supply_with_a_negative_quantity_is_refused(client):
    w = World()
    login(client, w.staff)
    resp = client.post(_url(w, "supply"), {"name": "灭火器", "quantity": "-5", "unit_label": "具"})
    assert resp.status_code == 200
    assert resp.context["form"].errors["quantity"] == ["数量不能为负数"]
    assert not EmergencySupply.objects.exists()


def test_a_filing_after_the_work_began_is_refused(client):
    w = World()
    login(client, w.staff)
    resp = client.post(
        _url(w, "confined"),
        {
            "work": "污水井疏通",
            "starts_on": w.ago(5).isoformat(),
            "filed_on": w.ago(2).isoformat(),
            "permit_no": "YX-1",
            "operators": "王师傅",
        },
    )
    assert resp.status_code == 200
    assert "备案须在作业开始前完成" in resp.context["form"].errors["filed_on"][0]
    assert not ConfinedSpaceWork.objects.exists()
    # nor can a work recorded without a filing be filed once it has begun
    work = services.confined_work_record(
        actor=w.staff, estate=w.estate, work="化粪池清掏", starts_on=w.ago(1)
    )
    resp = client.post(
        f"/duties/estates/{w.estate.code}/confined/{work.pk}/", {"permit_no": "YX-2", "operators": "王师傅"}
    )
    assert resp.status_code == 200
    assert "备案须在作业开始前完成" in str(resp.context["form"].errors)
    work.refresh_from_db()
    assert work.filed_on is None


def test_the_duty_phone_must_be_a_work_number_not_a_mobile(client):
    w = World()
    owner = make_user(Role.OWNER)
    login(client, w.staff)
    data = {
        "kind": "persons",
        "summary": "项目经理",
        "published_on": w.ago(1).isoformat(),
        "person_title": "项目经理",
    }
    resp = client.post(_url(w, "disclosure"), {**data, "duty_phone": owner.phone})
    assert "个人手机号" in resp.context["form"].errors["duty_phone"][0]
    resp = client.post(_url(w, "disclosure"), {**data, "duty_phone": "13900000000"})
    assert "不能填写手机号" in resp.context["form"].errors["duty_phone"][0]
    assert not DisclosureItem.objects.exists()
    resp = client.post(_url(w, "disclosure"), {**data, "duty_phone": "0774-8981234"})
    assert resp.status_code == 302
    assert DisclosureItem.objects.get().duty_phone == "0774-8981234"


@pytest.mark.parametrize(
    "role", [Role.TASK_FORCE, Role.BUREAU_ADMIN, Role.CITY_VIEWER, Role.COMMITTEE_MEMBER, Role.OWNER]
)
def test_only_the_company_enters_records(client, role):
    w = World()
    extra = {"estate_id": w.estate.pk} if role == Role.COMMITTEE_MEMBER else {}
    login(client, make_user(role, **extra))
    resp = client.post(_url(w, "supply"), {"name": "灭火器", "quantity": "5", "unit_label": "具"})
    assert resp.status_code == 403
    assert not EmergencySupply.objects.exists()
    with pytest.raises(NotAllowed):
        services.supply_record(actor=w.task_force, estate=w.estate, name="灭火器", quantity=Decimal(5))


def test_another_company_cannot_enter_or_see_the_estate(client):
    w = World()
    other = make_company()
    make_estate(company=other)
    stranger = make_user(Role.COMPANY_STAFF, company_id=other.pk)
    login(client, stranger)
    assert client.get(f"/duties/estates/{w.estate.code}/").status_code == 404
    assert client.post(_url(w, "supply"), {"name": "灭火器", "quantity": "5"}).status_code == 404
    assert client.get(f"/duties/companies/{w.company.pk}/").status_code == 404
    with pytest.raises(NotAllowed):
        services.supply_record(actor=stranger, estate=w.estate, name="灭火器", quantity=Decimal(5))


def test_the_task_force_reviews_by_estate_town_and_company(client):
    w = World().complete()
    bare = World()
    login(client, w.task_force)
    page = client.get("/duties/").content.decode()
    assert w.estate.name in page and bare.estate.name in page
    assert "各乡镇（街道）履约完备度" in page
    assert "25%" in page and "100%" in page
    assert "各物业企业履约完备度" in page and f"/duties/companies/{w.company.pk}/" in page
    detail = client.get(f"/duties/estates/{bare.estate.code}/").content.decode()
    assert "未录入现行合同的服务标准" in detail
    assert "录入：" not in detail  # the task force reviews, it does not enter
    assert w.estate.name in client.get(f"/duties/companies/{w.company.pk}/").content.decode()


def test_the_public_estate_page_shows_the_public_part_only(client):
    w = World().complete()
    services.renovation_register(
        actor=w.staff,
        estate=w.estate,
        unit="9栋101",
        start=w.ago(1),
        end=w.ago(-9),
        works="刷墙",
        notice_signed_on=w.ago(1),
    )
    page = client.get(f"/estates/{w.estate.code}/").content.decode()
    assert "物业服务信息公示与应急防范" in page
    assert "值班电话：0774-8981234" in page
    assert "登记装修 2 户" in page
    assert "2栋301" not in page and "9栋101" not in page  # counts only: no units
    assert w.staff.display_name not in page
    api = client.get(f"/api/v1/duties/estates/{w.estate.code}/public/").json()
    assert api["renovations"] == 2 and api["last_drill"] == w.ago(60).isoformat()


def test_the_readiness_api_is_scoped(client):
    w = World().complete()
    other = World()
    login(client, w.staff)
    rows = client.get("/api/v1/duties/readiness/").json()
    assert [r["code"] for r in rows] == [w.estate.code]
    assert rows[0]["score"] == 100
    login(client, w.task_force)
    codes = {r["code"]: r for r in client.get("/api/v1/duties/readiness/").json()}
    assert codes[other.estate.code]["score"] == 25
    client.logout()
    assert client.get("/api/v1/duties/readiness/").status_code in (401, 403)


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "supplies.xlsx"
    return buf


def test_bulk_import_of_supplies_names_the_row_column_and_reason(client):
    w = World()
    second = make_estate(company=w.company)
    foreign = make_estate(company=make_company())
    login(client, w.staff)
    data = _xlsx(
        [
            ["小区", "物资名称", "数量", "单位", "有效期至", "存放地点"],
            [w.estate.code, "灭火器", 40, "具", "2030-06-30", "各楼栋"],
            [second.name, "防汛沙袋", 100, "袋", None, "仓库"],
            [w.estate.code, "应急照明灯", -3, "盏", None, ""],
            [foreign.code, "急救箱", 2, "个", None, ""],
            [w.estate.code, "", 2, "个", None, ""],
            [w.estate.code, "消防水带", 4, "盘", "明年", ""],
        ]
    )
    resp = client.post("/duties/import/", {"file": data})
    result = resp.context["result"]
    assert (result.rows, result.created) == (6, 2)
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "数量"),
        (5, "小区"),
        (6, "物资名称"),
        (7, "有效期至"),
    ]
    assert result.errors[0].reason == "数量不能为负数"
    assert set(EmergencySupply.objects.values_list("estate_id", flat=True)) == {w.estate.pk, second.pk}
    page = resp.content.decode()
    assert "已导入 2 行" in page and "不是贵公司现在服务的小区" in page


def test_bulk_import_refuses_a_file_that_is_not_xlsx(client):
    w = World()
    login(client, w.staff)
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    resp = client.post("/duties/import/", {"file": bad})
    assert "无法读取文件" in resp.context["form"].errors["file"][0]


def test_the_company_records_the_report_of_a_violation_it_could_not_stop(client):
    from wuye.duties.tick import run_checks

    w = World().complete()
    r = services.renovation_register(
        actor=w.staff,
        estate=w.estate,
        unit="5栋102",
        start=w.ago(15),
        end=w.ago(-30),
        works="全屋装修",
        notice_signed_on=w.ago(16),
    )
    v = services.violation_record(actor=w.staff, renovation=r, kind="basement", found_on=w.ago(2))
    login(client, w.staff)
    url = f"/duties/estates/{w.estate.code}/violation/{v.pk}/"
    resp = client.post(url, {"reported_on": w.ago(1).isoformat()})
    assert resp.context["form"].errors["authority"] == ["请填写报告的主管部门"]
    resp = client.post(
        url,
        {"dissuaded_on": w.ago(2).isoformat(), "reported_on": w.ago(1).isoformat(), "authority": "县住建局"},
    )
    assert resp.status_code == 302
    v.refresh_from_db()
    assert (v.reported_on, v.authority, v.stopped) == (w.ago(1), "县住建局", False)
    assert run_checks() == {}
    login(client, w.task_force)
    assert client.post(url, {"dissuaded_on": w.ago(1).isoformat()}).status_code == 403


def test_the_county_table_runs_a_constant_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = World().complete()
    login(client, w.task_force)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/duties/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    World().complete()
    World()
    assert count() == few


def test_the_pages_show_no_raw_value(client):
    from wuye.portal.tests.visible_text import problems, raw_choice_values

    w = World().complete()
    from .test_checks import PLANTS

    for plant, *_ in PLANTS:
        plant(w)
    for user, name in ((w.task_force, "专班成员甲"), (w.staff, "物业员工乙")):
        user.display_name = name  # the test users are named after their role code
        user.save(update_fields=["display_name"])
    words = raw_choice_values()
    pages = {
        w.task_force: ["/duties/", f"/duties/estates/{w.estate.code}/", f"/duties/companies/{w.company.pk}/"],
        w.staff: [f"/duties/estates/{w.estate.code}/", "/duties/import/"]
        + [_url(w, kind) for kind in ("standard", "violation", "fire", "fee", "room")],
        None: [f"/estates/{w.estate.code}/"],
    }
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            login(client, user)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, url
            assert problems(resp.content.decode(), words) == [], url
            assert " object (" not in resp.content.decode(), url
