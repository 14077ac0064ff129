import datetime as dt

import pytest

from wuye.cases.models import CaseStatus
from wuye.common.dates import now
from wuye.testing import make_estate
from wuye.triage.duplicates import similar_open_cases

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    return make_estate(name="阳光花园")


def test_same_problem_in_other_words_is_found_first(estate):
    lift = make_case(estate=estate, text="3栋2单元电梯经常停运，维保单位迟迟不来修理", category="3.1")
    make_case(estate=estate, text="小区垃圾没人清运，楼道脏乱差", category="1.1")
    make_case(estate=estate, text="地下车库车位被外来车辆占用，还装了地锁", category="4")
    found = similar_open_cases(
        estate=estate, text="3栋2单元的电梯又坏了，停运好几天了没人来修", category="3.1"
    )
    assert found, "the lift case should be suggested"
    assert found[0][0] == lift
    assert 0 < found[0][1] <= 1
    assert all(case.category != "4" for case, _ in found)


def test_unrelated_text_finds_nothing(estate):
    make_case(estate=estate, text="3栋电梯经常停运，维保单位不来修理", category="3.1")
    assert (
        similar_open_cases(estate=estate, text="物业把会所租出去开麻将馆，租金去向不明", category="2.2") == []
    )


def test_other_estates_closed_cases_and_old_cases_are_ignored(estate):
    other = make_estate(name="幸福里")
    text = "5栋楼下消防通道被杂物堵死了"
    make_case(estate=other, text=text, category="1.3")
    make_case(estate=estate, text=text, category="1.3", status=CaseStatus.UNFOUNDED)
    make_case(estate=estate, text=text, category="1.3", created_at=now() - dt.timedelta(days=200))
    assert similar_open_cases(estate=estate, text=text, category="1.3") == []
    recent = make_case(estate=estate, text=text, category="1.3", created_at=now() - dt.timedelta(days=10))
    assert [c for c, _ in similar_open_cases(estate=estate, text=text, category="1.3")] == [recent]
    assert similar_open_cases(estate=estate, text=text, category="1.3", days=5) == []


def test_same_category_ranks_higher_and_limit_applies(estate):
    a = make_case(estate=estate, text="楼道灯坏了没人修，垃圾也不清运", category="1.1")
    b = make_case(estate=estate, text="楼道灯坏了没人修，垃圾也不清运", category="7")
    found = similar_open_cases(estate=estate, text="楼道灯坏了好久没人修", category="7")
    assert [c for c, _ in found] == [b, a]
    assert found[0][1] > found[1][1]
    assert len(similar_open_cases(estate=estate, text="楼道灯坏了好久没人修", limit=1)) == 1


def test_empty_text_or_no_estate_returns_empty(estate):
    make_case(estate=estate, text="电梯坏了", category="3.1")
    assert similar_open_cases(estate=estate, text="  ，。") == []
    assert similar_open_cases(estate=None, text="电梯坏了") == []
