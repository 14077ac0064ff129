from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.registry.models import Estate, Owner, Ownership, Unit
from wuye.testing import login, make_user

SAMPLE = Path(__file__).with_name("data") / "registry_sample.xlsx"
pytestmark = pytest.mark.django_db


def counts():
    return (Estate.objects.count(), Unit.objects.count(), Owner.objects.count(), Ownership.objects.count())


def test_command_imports_good_rows_and_reports_each_bad_row_with_excel_row_and_column(capsys):
    with pytest.raises(CommandError) as exc:
        call_command("import_registry", str(SAMPLE))
    out = capsys.readouterr().out
    assert "4 行未导入" in str(exc.value)
    # row numbers as Excel shows them: title row 1, header row 2, data from row 3
    assert "第 9 行【建筑面积】：必须大于 0" in out
    assert "第 10 行【房号】：不能为空" in out
    assert "第 11 行【联系电话】：请输入 11 位手机号码" in out
    assert "第 13 行【建筑面积】：“八十”不是数字" in out
    assert counts() == (2, 5, 5, 6)
    unit102 = Unit.objects.get(estate__code="YJ001", building__name="1栋", number="102")
    assert sorted(unit102.owners.values_list("name", flat=True)) == ["李四", "王五"]
    zhang = Owner.objects.get(phone="13800000001")
    assert zhang.units.count() == 2
    assert Unit.objects.get(estate__code="YJ001", number="202").developer_held


def test_reimporting_the_same_file_changes_nothing():
    with pytest.raises(CommandError):
        call_command("import_registry", str(SAMPLE))
    before, audit_before = counts(), AuditEntry.objects.count()
    with pytest.raises(CommandError):
        call_command("import_registry", str(SAMPLE))
    assert counts() == before
    assert AuditEntry.objects.count() == audit_before


def test_a_file_that_is_not_excel_gets_a_chinese_error(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_registry", str(bad))
    assert counts() == (0, 0, 0, 0)


def test_staff_import_page_shows_row_errors(client):
    login(client, make_user(Role.TASK_FORCE))
    upload = SimpleUploadedFile("registry.xlsx", SAMPLE.read_bytes())
    resp = client.post("/registry/import/", {"file": upload})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "4 行未导入" in body and "必须大于 0" in body
    assert Unit.objects.count() == 5


def test_company_staff_cannot_use_the_import_page(client):
    from wuye.testing import make_company

    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    resp = client.post("/registry/import/", {"file": SimpleUploadedFile("r.xlsx", SAMPLE.read_bytes())})
    assert resp.status_code == 403
    assert Unit.objects.count() == 0


def test_an_estate_without_a_code_gets_a_free_one_even_after_hand_made_codes(tmp_path):
    from openpyxl import Workbook

    from wuye.testing import make_estate

    make_estate(code="E0001", name="手工登记小区")
    wb = Workbook()
    ws = wb.active
    ws.append(["乡镇/街道", "小区名称", "楼栋", "房号", "建筑面积", "业主姓名", "联系电话"])
    ws.append(["钟山镇", "新导入小区", "1栋", "101", 80, "陈一", "13800000099"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    call_command("import_registry", str(path))
    assert Estate.objects.get(name="新导入小区").code == "E0002"


def test_staff_import_page_refuses_an_xlsx_zip_bomb(client):
    from wuye.common.tests.bombs import xlsx_bomb

    login(client, make_user(Role.TASK_FORCE))
    resp = client.post("/registry/import/", {"file": SimpleUploadedFile("r.xlsx", xlsx_bomb(inflated_mb=64))})
    assert resp.status_code == 400
    assert "疑似压缩炸弹" in resp.content.decode()
    assert Unit.objects.count() == 0
