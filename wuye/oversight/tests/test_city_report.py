import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from wuye.cases.models import Case, CaseEvent
from wuye.common.dates import today
from wuye.intake.models import Lead
from wuye.kernel.case_states import CaseStatus
from wuye.oversight import cityreport, services
from wuye.oversight.calendar import month_start
from wuye.oversight.phases import CAMPAIGN_START
from wuye.oversight.selectors import day_start
from wuye.registry.models import Owner
from wuye.testing import login, make_units

pytestmark = pytest.mark.django_db
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def county(w):
    make_units(w.estate, 3)  # owners with names and phones exist in the county
    w.accepted(category="1.1")
    w.accepted(estate=w.estate2, category="3.1")
    w.rectifying(category="2.3")
    w.rectifying(estate=w.other_estate, category="4")
    w.case(category="7")
    return month_start(today())


def sheet_rows(data: bytes, sheet: str) -> dict[str, list]:
    ws = load_workbook(io.BytesIO(data))[sheet]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return {r[0]: list(r[1:]) for r in rows if r and r[0]}


def test_every_case_figure_in_the_xlsx_equals_a_direct_count(world, tmp_path):
    w = world
    month = county(w)
    out = tmp_path / "r.xlsx"
    call_command("city_report", "--month", f"{month:%Y-%m}", "--out", str(out), stdout=io.StringIO())
    data = out.read_bytes()
    start, end = day_start(month), day_start(cityreport.next_month(month))
    by_cat = sheet_rows(data, "按问题类别")
    for code in ("1.1", "2.3", "3.1", "4", "7", "6"):
        label = cityreport.stats.CATEGORY_LABELS[code]
        cases = Case.objects.filter(category=code)
        received = cases.filter(created_at__gte=start, created_at__lt=end).count()
        verified = (
            CaseEvent.objects.filter(kind="rectify", case__category=code, at__gte=start, at__lt=end)
            .values("case")
            .distinct()
            .count()
        )
        unfounded = cases.filter(status="unfounded", closed_at__gte=start, closed_at__lt=end).count()
        accepted = cases.filter(status="accepted", closed_at__gte=start, closed_at__lt=end).count()
        to_date = cases.filter(created_at__gte=day_start(CAMPAIGN_START), created_at__lt=end).count()
        rectifying = cases.filter(status__in=["rectifying", "submitted", "returned"]).count()
        assert by_cat[label][:5] == [received, verified, unfounded, accepted, to_date], code
        assert by_cat[label][8] == rectifying
    assert by_cat["合计"][0] == Case.objects.count() == 5
    by_town = sheet_rows(data, "按乡镇街道")
    assert by_town[w.town.name][0] == Case.objects.filter(estate__town=w.town).count() == 3
    assert by_town[w.town2.name][0] == Case.objects.filter(estate__town=w.town2).count() == 2
    assert (
        by_town[w.town2.name][3]
        == Case.objects.filter(estate__town=w.town2, status=CaseStatus.ACCEPTED).count()
    )
    channels = sheet_rows(data, "线索来源")
    assert channels["合计"] == [Lead.objects.count(), Lead.objects.count()]
    ws = load_workbook(io.BytesIO(data))["按问题类别"]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.print_title_rows == "$3:$3"


def test_city_report_twice_gives_the_same_figures(world):
    month = county(world)
    first = cityreport.figures(cityreport.build(month))
    second = cityreport.figures(cityreport.build(month))
    assert first == second
    a = sheet_rows(cityreport.to_xlsx(cityreport.build(month)), "按问题类别")
    b = sheet_rows(cityreport.to_xlsx(cityreport.build(month)), "按问题类别")
    assert a == b


def test_the_xlsx_and_the_pdf_carry_no_phone_number_nor_owner_name(world, tmp_path, monkeypatch):
    w = world
    month = county(w)
    services.notable_case_pick(
        actor=w.tf, month=month, number=Case.objects.first().number, summary="督促企业清理楼道垃圾，业主满意"
    )
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    call_command(
        "city_report",
        "--month",
        f"{month:%Y-%m}",
        "--out",
        str(xlsx),
        "--pdf",
        str(pdf),
        stdout=io.StringIO(),
    )
    wb = load_workbook(xlsx)
    text = "\n".join(
        str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    assert "督促企业清理楼道垃圾" in text  # the notable case is there
    names = list(Owner.objects.values_list("name", flat=True)) + [w.staff.display_name, w.tf.display_name]
    assert names and not PHONE.search(text)
    for name in names:
        assert name not in text
    pdf_bytes = pdf.read_bytes()
    assert pdf_bytes.startswith(b"%PDF") and b"/FontFile2" in pdf_bytes and b"STSong" not in pdf_bytes
    # the PDF's glyphs are subset-encoded: scan every text that was laid out in it
    laid_out: list[str] = []
    real = cityreport.Paragraph

    def recording(text, *args, **kwargs):
        laid_out.append(str(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(cityreport, "Paragraph", recording)
    again = cityreport.to_pdf(cityreport.build(month))
    assert again.startswith(b"%PDF")
    pdf_text = "\n".join(laid_out)
    assert "问题线索" in pdf_text and "督促企业清理楼道垃圾" in pdf_text
    assert not PHONE.search(pdf_text)
    for name in names:
        assert name not in pdf_text


def test_a_phone_number_in_a_notable_case_summary_is_refused(world):
    w = world
    case = w.case()
    with pytest.raises(services.DomainError, match="电话号码"):
        services.notable_case_pick(
            actor=w.tf, month=today(), number=case.number, summary="业主13912345678反映"
        )
    with pytest.raises(services.NotAllowed):
        services.notable_case_pick(actor=w.city, month=today(), number=case.number, summary="x")


def test_the_task_force_downloads_both_files_from_the_button_and_others_cannot(world, client):
    w = world
    month = county(w)
    login(client, w.tf)
    page = client.get(reverse("oversight:city_report") + f"?month={month:%Y-%m}")
    assert page.status_code == 200 and "下载 Excel" in page.content.decode()
    x = client.get(reverse("oversight:city_report_xlsx") + f"?month={month:%Y-%m}")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    p = client.get(reverse("oversight:city_report_pdf") + f"?month={month:%Y-%m}")
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    login(client, w.staff)
    assert client.get(reverse("oversight:city_report_xlsx")).status_code == 403
