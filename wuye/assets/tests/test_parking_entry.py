"""Entering an estate's parking spaces: the page form and the .xlsx import (company serving the estate, bureau)."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from wuye.accounts.models import Role
from wuye.assets.models import ParkingSpace, SpaceKind
from wuye.audit.models import AuditEntry
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["东城家园车位登记表"])
    ws.append(["车位号", "类型", "使用人（房号）", "登记车牌", "月租金（元）"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("spaces.xlsx", buf.getvalue())


@pytest.fixture
def world():
    company = make_company()
    estate = make_estate(company=company)
    return estate, company


def test_only_the_serving_company_and_the_bureau_enter_spaces(client: Client, world):
    estate, company = world
    url = reverse("assets:parking_space", kwargs={"code": estate.code})
    data = {"number": "A001", "kind": "common", "user_label": "1栋101", "monthly_rent": "150"}
    for user, status in [
        (make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk), 403),
        (make_user(Role.CITY_VIEWER), 403),
        (make_user(Role.COMPANY_STAFF, company_id=make_company().pk), 404),
    ]:
        login(client, user)
        assert client.post(url, data).status_code in (status, 403, 404)
        assert client.get(url).status_code in (status, 403, 404)
    assert not ParkingSpace.objects.exists()

    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    space = ParkingSpace.objects.get()
    assert (space.kind, space.user_label, space.monthly_rent) == ("common", "1栋101", Decimal("150.00"))
    page = client.get(reverse("assets:parking", kwargs={"code": estate.code})).content.decode()
    assert "登记车位" in page and "导入车位登记表" in page

    # edit by number: the form comes filled in; a change is saved and audited
    login(client, make_user(Role.TASK_FORCE))
    edit = client.get(url + "?number=A001").content.decode()
    assert "修改车位 A001" in edit and 'value="1栋101"' in edit
    assert client.post(url, {**data, "user_label": "1栋102"}).status_code == 302
    space.refresh_from_db()
    assert space.user_label == "1栋102" and ParkingSpace.objects.count() == 1
    assert AuditEntry.objects.filter(action="parking.space_update").count() == 1


def test_bad_input_is_refused_in_chinese_on_the_field_and_nothing_is_stored(client: Client, world):
    estate, company = world
    url = reverse("assets:parking_space", kwargs={"code": estate.code})
    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    r = client.post(url, {"number": "A001", "kind": "owned", "user_label": "1栋101", "monthly_rent": "150"})
    assert r.status_code == 400
    assert "只有共有部位车位出租时填写月租金" in r.content.decode()
    assert (
        "月租金不能为负数"
        in client.post(url, {"number": "A001", "kind": "common", "monthly_rent": "-5"}).content.decode()
    )
    assert client.post(url, {"number": "  ", "kind": "common"}).status_code == 400
    assert not ParkingSpace.objects.exists()


def test_the_import_reports_bad_rows_by_row_column_and_reason_and_a_reimport_changes_nothing(
    client: Client, world
):
    estate, company = world
    url = reverse("assets:parking_import", kwargs={"code": estate.code})
    rows: list[list[Any]] = [
        ["A001", "产权车位", "1栋101", "桂J12345", None],
        ["A002", "共有部位车位", "2栋302", None, 150],
        ["A003", "共有", None, None, None],
        ["A004", "临停", None, None, None],  # row 6: unknown type
        ["A005", "产权车位", "3栋101", None, 200],  # row 7: rent on an owned space
        [None, "公共临时车位", None, None, None],  # row 8: no number
        ["A006", "共有部位车位", "4栋101", None, "一百"],  # row 9: not an amount
        ["A001", "产权车位", None, None, None],  # row 10: repeated in the file
    ]
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    assert client.post(url, {"file": xlsx(rows)}).status_code == 403
    assert not ParkingSpace.objects.exists()

    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    page = client.post(url, {"file": xlsx(rows)}).content.decode()
    assert "新增 3 个" in page and "有问题 5 行" in page
    assert "第 6 行" in page and "“临停”应为产权车位" in page
    assert "第 7 行" in page and "只有共有部位车位出租时填写月租金" in page
    assert "第 8 行" in page and "不能为空" in page
    assert "第 9 行" in page and "“一百”不是有效金额" in page
    assert "第 10 行" in page and "在本文件中重复" in page
    assert sorted(ParkingSpace.objects.values_list("number", flat=True)) == ["A001", "A002", "A003"]
    assert ParkingSpace.objects.get(number="A002").monthly_rent == Decimal("150.00")
    assert ParkingSpace.objects.get(number="A003").kind == SpaceKind.COMMON

    parking_audits = AuditEntry.objects.filter(action__startswith="parking.")
    audits = parking_audits.count()
    login(client, make_user(Role.TASK_FORCE))
    again = client.post(url, {"file": xlsx(rows)}).content.decode()
    assert "新增 0 个，更新 0 个，无变化 3 个" in again
    assert parking_audits.count() == audits and ParkingSpace.objects.count() == 3

    bad = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert bad.status_code == 400 and ParkingSpace.objects.count() == 3
