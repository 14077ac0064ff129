import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from wuye.intake import services as intake_services
from wuye.intake.hotline import hotline_import, parse_when
from wuye.intake.models import Lead
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.testing import login

pytestmark = pytest.mark.django_db
SAMPLE = Path("/work/shared/examples/hotline_12345/sample_clean.xlsx")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[4].parent / "shared/examples/hotline_12345/sample_clean.xlsx"


def messy_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["钟山县12345热线工单导出（2025年6月）"])
    ws.append(["工单号", "来电时间", "来电人", "来电号码", "事发地址", "问题描述", "办结时限"])
    ws.append(
        [
            "ＺＳ２５０６０３０１０１",
            45811.39,
            "张女士",
            "１３８１２３４５６７８",
            "钟山镇阳光花园3栋",
            "3栋电梯一周停运三次",
            "2025/6/10",
        ]
    )  # row 3: good
    ws.append([None, None, None, None, None, None, None])  # row 4: blank
    ws.append(
        ["ZS2506030102", "2025年6月3日 10时05分", None, None, "钟山镇阳光花园", "地下车库消防通道被占", None]
    )  # row 5: anonymous
    ws.append([None, "2025-06-03", "李", "13900000000", "阳光花园", "没有工单号", None])  # row 6
    ws.append(["ZS2506030104", "2025-06-03", "李", "13900000000", "阳光花园", "  ", None])  # row 7
    ws.append(["ZS2506030105", "昨天下午", "李", "13900000000", "阳光花园", "时间不对", None])  # row 8
    ws.append(["ZS2506030106", "2025/6/31", "李", "13900000000", "阳光花园", "日期不存在", None])  # row 9
    ws.append(["ZS2506030101", "2025-06-04", "王", "", "阳光花园", "重复工单", None])  # row 10
    ws.append(
        [
            "ZS2506030107",
            dt.datetime(2025, 6, 5, 9, 0),
            "陈",
            "0774-8888888",
            "不知道在哪里",
            "垃圾堆放多日没人清理",
            45818,
        ]
    )  # row 11: unmatched
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_messy_export_imports_good_rows_and_reports_bad_ones_by_excel_row(estate):
    report = hotline_import(actor=SystemActor("import_12345"), data=messy_xlsx(), filename="工单.xlsx")
    assert report.imported == 3 and report.duplicates == 0
    assert [e["row"] for e in report.errors] == [6, 7, 8, 9, 10]
    reasons = {e["row"]: e["reason"] for e in report.errors}
    assert "工单编号" in reasons[6] and "诉求内容" in reasons[7] and "昨天下午" in reasons[8]
    assert "2025/6/31" in reasons[9] and "第 3 行重复" in reasons[10]
    first = Lead.objects.get(source_ref="12345:ZS2506030101")
    assert first.complainant_phone == "13812345678" and first.estate == estate
    local = timezone.localtime(first.created_at)
    assert (local.date(), local.hour) == (dt.date(2025, 6, 3), 9)  # serial 45811.39
    assert first.due_date == dt.date(2025, 6, 10)
    anon = Lead.objects.get(source_ref="12345:ZS2506030102")
    assert anon.anonymous and timezone.localtime(anon.created_at).strftime("%H:%M") == "10:05"
    lost = Lead.objects.get(source_ref="12345:ZS2506030107")
    assert lost.estate is None and lost.estate_needs_confirmation and lost.due_date == dt.date(2025, 6, 10)


def test_reimport_never_duplicates(estate):
    hotline_import(actor=SystemActor("import_12345"), data=messy_xlsx(), filename="a.xlsx")
    again = hotline_import(actor=SystemActor("import_12345"), data=messy_xlsx(), filename="a.xlsx")
    assert again.imported == 0 and again.duplicates == 3
    assert Lead.objects.count() == 3


def test_gbk_csv_with_alias_headers(estate):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["工单编号", "受理时间", "诉求人", "联系电话", "诉求地址", "来电内容", "办理时限"])
    w.writerow(
        ["GB0001", "2025.06.03 08:30", "赵女士", "18977441234", "阳光花园", "物业私自出租车位", "2025-06-11"]
    )
    w.writerow(["", "", "", "", "", "", ""])
    w.writerow(["GB0002", "20250604", "", "", "阳光小区", "电梯广告收入不公示", ""])
    report = hotline_import(
        actor=SystemActor("import_12345"), data=buf.getvalue().encode("gbk"), filename="export.csv"
    )
    assert report.summary() == {"imported": 2, "duplicates": 0, "errors": []}
    assert Lead.objects.get(source_ref="12345:GB0001").complainant_name == "赵女士"


def test_file_without_header_is_refused(db):
    from wuye.common.errors import DomainError

    with pytest.raises(DomainError, match="找不到表头"):
        hotline_import(actor=SystemActor("import_12345"), data=b"a,b\n1,2\n", filename="x.csv")


def test_dry_run_writes_nothing(estate):
    report = hotline_import(
        actor=SystemActor("import_12345"), data=messy_xlsx(), filename="a.xlsx", dry_run=True
    )
    assert report.imported == 3 and Lead.objects.count() == 0


@pytest.mark.parametrize(
    "value",
    [
        "2025-06-03 09:15",
        "2025/6/3 9:15",
        "2025年6月3日9时15分",
        45811.385417,
        "45811.385417",
        "２０２５－０６－０３ ０９:１５",
    ],
)
def test_date_formats(value):
    when = timezone.localtime(parse_when(value, label="受理时间"))
    assert (when.year, when.month, when.day, when.hour, when.minute) == (2025, 6, 3, 9, 15)


def test_sample_file_in_demo_county_imports_six_then_duplicates_six(db, tmp_path):
    from wuye.registry import demo

    demo.build(seed=1, scale=0.2, out=io.StringIO())
    path = tmp_path / "sample_clean.xlsx"
    shutil.copy(SAMPLE, path)
    out = io.StringIO()
    call_command("import_12345", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "imported": 6,
        "duplicates": 0,
        "errors": [],
    }
    out = io.StringIO()
    call_command("import_12345", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "imported": 0,
        "duplicates": 6,
        "errors": [],
    }
    assert Lead.objects.filter(channel="hotline_12345").count() == 6


def test_staff_page_imports_and_company_staff_is_refused(client, estate, task_force, company_staff):
    url = reverse("intake:import_12345")
    login(client, company_staff)
    assert client.get(url).status_code == 403
    login(client, task_force)
    upload = SimpleUploadedFile("工单.xlsx", messy_xlsx())
    r = client.post(url, {"file": upload})
    html = r.content.decode()
    assert "新导入 <strong>3</strong>" in html and "昨天下午" in html and "未匹配" in html
    bad = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert bad.status_code == 400 and "无法读取" in bad.content.decode()


def test_export_writes_results_for_the_hotline(estate, task_force, tmp_path):

    hotline_import(actor=SystemActor("import_12345"), data=messy_xlsx(), filename="a.xlsx")
    lead = Lead.objects.get(source_ref="12345:ZS2506030101")
    intake_services.lead_reject(actor=task_force, lead=lead, reason="属于特种设备监管部门职责")
    from wuye.intake.services import feedback_rate

    feedback_rate(actor=PublicActor("track"), lead=lead, rating=3)
    path = tmp_path / "out.xlsx"
    call_command("export_12345", "--since", "2025-01-01", str(path), stdout=io.StringIO())
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == ("工单编号", "办理结果", "办结时间", "满意度")
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {"ZS2506030101", "ZS2506030102", "ZS2506030107"}
    assert "不属于本次整治范围" in by_number["ZS2506030101"][1] and by_number["ZS2506030101"][3] == 3
    assert by_number["ZS2506030102"][2] is None  # still open: no 办结时间
    for r in rows:
        assert "13812345678" not in " ".join(str(c) for c in r)


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "受理时间", "来电人", "来电号码", "事发地址", "问题描述", "办结时限"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_work_order_repeated_with_the_same_content_is_a_duplicate_not_an_error(estate):
    row = ["ZS2507010001", "2025-07-01 09:00", "张女士", "13812345678", "阳光花园", "电梯停运", "2025-07-08"]
    other = ["ZS2507010002", "2025-07-01 10:00", "", "", "阳光花园", "车库漏水", ""]
    report = hotline_import(
        actor=SystemActor("import_12345"), data=_xlsx([row, other, list(row)]), filename="dup.xlsx"
    )
    assert report.summary() == {"imported": 2, "duplicates": 1, "errors": []}
    assert Lead.objects.filter(source_ref="12345:ZS2507010001").count() == 1


def test_the_same_number_with_different_content_is_an_error_naming_both_rows(estate):
    row = ["ZS2507010001", "2025-07-01 09:00", "张女士", "13812345678", "阳光花园", "电梯停运", ""]
    changed = ["ZS2507010001", "2025-07-01 09:00", "张女士", "13812345678", "阳光花园", "楼道灯不亮", ""]
    report = hotline_import(
        actor=SystemActor("import_12345"), data=_xlsx([row, changed]), filename="conflict.xlsx"
    )
    assert report.imported == 1 and report.duplicates == 0
    [error] = report.errors
    assert error["row"] == 3
    assert "第 2 行" in error["reason"] and "第 3 行" in error["reason"] and "内容不同" in error["reason"]
    assert Lead.objects.get(source_ref="12345:ZS2507010001").text == "电梯停运"
