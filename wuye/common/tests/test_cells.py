"""One reader of dates in imported cells (wuye.common.cells): every importer accepts what a county's clerk types."""

import datetime as dt

import pytest
from django.utils import timezone

from wuye.common.cells import parse_day, parse_when
from wuye.common.errors import DomainError

D = dt.date(2025, 6, 3)


@pytest.mark.parametrize(
    "value",
    [
        D,
        dt.datetime(2025, 6, 3, 10, 5),
        45811,  # an Excel serial (a date cell formatted as a number)
        45811.42,
        "45811",
        "2025-06-03",
        "2025/6/3",
        "2025.6.3",
        "2025年6月3日",
        "2025年6月3号",
        "2025年6月3日 10时05分",
        "20250603",
        "２０２５－０６－０３",  # full-width, as some input methods type it
        " 2025-06-03 10:05:00 ",
    ],
)
def test_every_form_a_clerk_types_reads_as_the_same_day(value):
    assert parse_day(value, label="安装日期") == D
    assert timezone.localdate(parse_when(value, label="受理时间")) == D


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_cell_is_no_date(value):
    assert parse_day(value, label="安装日期") is None and parse_when(value, label="受理时间") is None


@pytest.mark.parametrize("value", ["2025-02-30", "昨天下午", "2025-13-01", "12", 99999, "6/3/2025", True])
def test_a_wrong_date_names_the_column_and_the_value(value):
    with pytest.raises(DomainError) as exc:
        parse_day(value, label="安装日期")
    assert exc.value.field == "安装日期" and "不是有效的日期" in exc.value.message


def test_an_old_installation_date_is_a_day_but_not_a_complaint_time():
    assert parse_day("1985-05-01", label="安装日期") == dt.date(1985, 5, 1)
    with pytest.raises(DomainError):
        parse_when("1985-05-01", label="受理时间")
