"""How values read on a page: rounded shares, shortened titles, motions, dates and case states in Chinese."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from wuye.common import display
from wuye.voting.tally import percent


def render(source: str, **ctx) -> str:
    return Template("{% load wuye %}" + source).render(Context(ctx))


def test_shares_round_half_up_not_down():
    assert display.pct(66, 154) == "42.86%"  # 42.857… was shown as 42.85%
    assert percent(66, 154) == Decimal("42.86")
    assert display.pct(Decimal("12.345")) == "12.35%" and display.pct(1, 0) == "—"
    assert render("{{ a|pct:b }}", a=66, b=154) == "42.86%"


def test_a_cut_title_says_so():
    assert display.shorten("一二三四五六七八九十", 5) == "一二三四…"
    assert display.shorten("一二三", 5) == "一二三"


def test_motions_read_as_items():
    assert display.motion_no("M3") == "第3项" and render("{{ c|motion_no }}", c="M12") == "第12项"


def test_dates_read_the_same_everywhere():
    assert render("{{ d|cn_date }}", d="2026-07-03") == "2026年7月3日"
    assert render("{{ d|cn_date }}", d=dt.date(2026, 7, 3)) == "2026年7月3日"
    assert render("{{ d|cn_date }}", d=None) == "—"


@pytest.mark.parametrize(("code", "label"), [("received", "已受理"), ("verifying", "核查中"), ("-", "")])
def test_case_states_read_in_chinese(code, label):
    assert render("{{ s|case_status }}", s=code) == label
