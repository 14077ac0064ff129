import datetime as dt

import pytest

from wuye.oversight.calendar import is_working_day, parse_month, report_due_date

D = dt.date


def test_the_report_on_december_is_due_on_the_20th_of_january_next_year(settings):
    settings.WUYE = {"MONTHLY_REPORT_MOVE_TO_WORKDAY": False}
    assert report_due_date(D(2025, 12, 1)) == D(2026, 1, 20)


def test_a_day_past_february_s_end_falls_on_its_last_day(settings):
    settings.WUYE = {"MONTHLY_REPORT_DAY": 30, "MONTHLY_REPORT_MOVE_TO_WORKDAY": False}
    assert report_due_date(D(2026, 1, 1)) == D(2026, 2, 28)
    assert report_due_date(D(2028, 1, 1)) == D(2028, 2, 29)  # a leap year
    assert report_due_date(D(2026, 2, 1)) == D(2026, 3, 30)


def test_the_20th_on_a_sunday_stays_without_the_move_setting(settings):
    settings.WUYE = {"MONTHLY_REPORT_MOVE_TO_WORKDAY": False}
    assert D(2025, 4, 20).weekday() == 6
    assert report_due_date(D(2025, 3, 1)) == D(2025, 4, 20)


def test_the_20th_on_a_sunday_moves_to_monday_with_the_move_setting(settings):
    settings.WUYE = {"MONTHLY_REPORT_MOVE_TO_WORKDAY": True}
    assert report_due_date(D(2025, 3, 1)) == D(2025, 4, 21)


def test_a_due_date_in_the_spring_festival_moves_past_the_holiday(settings):
    settings.WUYE = {"MONTHLY_REPORT_MOVE_TO_WORKDAY": True}
    # 2026-02-20 is a Friday in the Spring Festival holiday (15–23 February)
    assert report_due_date(D(2026, 1, 1)) == D(2026, 2, 24)
    settings.WUYE = {"MONTHLY_REPORT_MOVE_TO_WORKDAY": False}
    assert report_due_date(D(2026, 1, 1)) == D(2026, 2, 20)


def test_a_make_up_working_day_on_a_weekend_is_a_working_day():
    assert D(2026, 2, 28).weekday() == 5
    assert is_working_day(D(2026, 2, 28))  # 春节调休上班
    assert not is_working_day(D(2026, 10, 1))
    assert is_working_day(D(2026, 10, 9))


def test_the_office_head_can_point_the_county_at_an_updated_holiday_file(settings, tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text("date,kind,name\n2027-01-20,holiday,示例假日\n", encoding="utf-8")
    settings.WUYE = {"HOLIDAYS_FILE": str(path), "MONTHLY_REPORT_MOVE_TO_WORKDAY": True}
    assert report_due_date(D(2026, 12, 1)) == D(2027, 1, 21)


def test_a_month_in_another_shape_is_refused_in_chinese():
    with pytest.raises(ValueError, match="格式不对"):
        parse_month("2025/6")
