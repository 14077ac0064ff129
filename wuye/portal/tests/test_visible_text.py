"""The crawl's raw-value check catches what users saw, and leaves help texts and Chinese alone."""

import pytest

from .visible_text import problems, raw_choice_values, visible_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "html",
    [
        "<p>已受理 · received → verifying</p>",
        '<span class="badge">NONE 0%</span>',
        "<td>2026Q3</td>",
        "<h2>M1　选聘物业</h2>",
        "<td>2026-07-03</td>",
        "<td>submitted</td>",
    ],
)
def test_a_raw_value_in_visible_text_is_a_problem(html):
    assert problems(html, raw_choice_values())


@pytest.mark.parametrize(
    "html",
    [
        "<p>已受理 → 核查中</p>",
        "<td>2026年第3季度</td><td>第1项　选聘物业</td><td>2026年7月3日</td>",
        '<p class="help">如 2025Q1（季度）或 2025-03（月）</p>',
        '<script>var s = "received";</script><a href="/cases/?status=verifying">核查中</a>',
        "<p>查询码 7KQ2MZ4XPL · wuye-jubao@example.cn</p>",
    ],
)
def test_chinese_help_texts_scripts_and_links_are_not(html):
    assert problems(html, raw_choice_values()) == [], visible_text(html)


def test_the_state_names_come_from_the_models():
    words = raw_choice_values()
    assert {"received", "verifying", "submitted", "returned", "published"} <= words
