import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wuye.cases.models import Case
from wuye.kernel.actors import SystemActor
from wuye.oversight import services
from wuye.registry.models import Owner
from wuye.testing import login, make_units

pytestmark = pytest.mark.django_db
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def county(w):
    make_units(w.estate, 2)
    w.accepted()
    w.accepted(estate=w.estate2, category="3.1")
    w.rectifying(category="4", deadline=None)
    w.case(category="7", description="业主张三13812345678反映楼上漏水")
    services.summary_refresh(actor=SystemActor("daily_summary"), since=None)


def test_the_public_progress_page_shows_phases_and_counts_without_javascript_or_personal_data(world, client):
    w = world
    county(w)
    page = client.get(reverse("oversight:progress"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html  # the numbers need no JavaScript
    for phase in ("动员部署", "集中整治", "巩固提高"):
        assert phase in html
    assert w.town.name in html and w.town2.name in html
    assert "累计受理问题" in html
    assert not PHONE.search(html.replace("0774-5551234", ""))
    assert "漏水" not in html and "楼道垃圾" not in html  # no complaint texts
    for name in Owner.objects.values_list("name", flat=True):
        assert name not in html


def test_the_public_estate_page_has_the_estate_s_open_and_closed_counts(world, client):
    w = world
    county(w)
    html = client.get(reverse("portal:estate", args=[w.estate.code])).content.decode()
    assert "问题整改情况" in html
    open_n = Case.objects.filter(estate=w.estate, status__in=["received", "rectifying"]).count()
    assert f"<dt>正在整改的问题</dt><dd>{open_n} 件</dd>" in html
    assert "<dt>已整改销号</dt><dd>1 件</dd>" in html
    assert "漏水" not in html


def test_the_dashboard_draws_charts_with_their_numbers_in_tables_and_links_to_the_ledger(world, client):
    w = world
    county(w)
    login(client, w.tf)
    page = client.get(reverse("oversight:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "vendor/echarts-6.1.0.min.js" in html and 'id="chart-data"' in html
    assert "/cases/?category=1.1" in html  # a number links to the filtered ledger
    assert "党组织覆盖率" in html and "逾期未整改事项" in html
    filtered = client.get(reverse("oversight:dashboard"), {"town": w.town2.pk, "category": "3.1"})
    assert filtered.status_code == 200
    x = client.get(reverse("oversight:dashboard_export"))
    wb = load_workbook(io.BytesIO(x.content))
    assert "事项当前状态" in wb.sheetnames
    rows = {r[0]: r[1] for r in wb["事项当前状态"].iter_rows(min_row=3, values_only=True)}
    assert rows["已销号"] == Case.objects.filter(status="accepted").count() == 2


def test_the_city_viewer_s_dashboard_and_export_name_no_person(world, client):
    from wuye.cases import services as cases

    w = world
    county(w)
    # an overdue case whose responsible person is named: the task force sees the name, the city does not
    case = Case.objects.filter(status="rectifying").first()
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline.replace(year=2025))
    assert cases  # the ledger's own services built the data
    login(client, w.tf)
    assert "王经理" in client.get(reverse("oversight:dashboard")).content.decode()
    login(client, w.city)
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert case.number in html and "王经理" not in html
    assert not PHONE.search(html.replace("0774-5551234", ""))
    export = client.get(reverse("oversight:dashboard_export")).content
    wb = load_workbook(io.BytesIO(export))
    text = "\n".join(
        str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    assert case.number in text and "王经理" not in text and not PHONE.search(text)
    for name in Owner.objects.values_list("name", flat=True):
        assert name not in html and name not in text
    login(client, w.staff)
    assert client.get(reverse("oversight:dashboard")).status_code == 403
