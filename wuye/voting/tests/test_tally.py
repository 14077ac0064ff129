"""The pure tally and `tally_scenario`: the shared examples exactly, every bound for area and persons apart."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from wuye.voting.tally import ScenarioError, tally_scenario

EXAMPLES = Path("/work/shared/examples/voting")
LOCAL_EXAMPLES = Path(__file__).parent / "examples"


def _example_pairs() -> list[Path]:
    for base in (EXAMPLES, LOCAL_EXAMPLES):
        found = sorted(p for p in base.glob("*.json") if not p.name.endswith(".expected.json"))
        if found:
            return found
    return []


def run_command(path: str) -> dict:
    out = io.StringIO()
    call_command("tally_scenario", path, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.parametrize("path", _example_pairs(), ids=lambda p: p.name)
def test_tally_scenario_reproduces_each_example_exactly(path: Path) -> None:
    expected = json.loads(
        path.with_name(path.name.replace(".json", ".expected.json")).read_text(encoding="utf-8")
    )
    got = run_command(str(path))
    assert [m["id"] for m in got["motions"]] == [m["id"] for m in expected["motions"]]
    for want, have in zip(expected["motions"], got["motions"], strict=True):
        for key, value in want.items():
            if key.endswith("_area"):
                assert Decimal(have[key]) == Decimal(value), (want["id"], key)
            else:
                assert have[key] == value, (want["id"], key)
        assert have["reason"]


def scenario(areas, owners=None, dev=(), choices=(), items=(4,)):
    """Units with the given areas; owners default to one per unit; `choices` per owner key: {motion: choice}."""
    owners = owners or [f"o{i}" for i in range(len(areas))]
    units = [
        {"id": f"u{i}", "area": str(a), "owner": owners[i], "developer_held": i in dev}
        for i, a in enumerate(areas)
    ]
    motions = [{"id": f"M{n}", "item": item, "title": "事项"} for n, item in enumerate(items, start=1)]
    ballots = [{"voter": voter, "choices": c} for voter, c in choices]
    return {"units": units, "motions": motions, "ballots": ballots}


def only(result):
    assert len(result["motions"]) == 1
    return result["motions"][0]


# --- participation: exactly two thirds -------------------------------------------------------------------------


def test_participation_of_exactly_two_thirds_of_persons_and_area_is_met() -> None:
    data = scenario([10, 10, 10], choices=[("o0", {"M1": "agree"}), ("o1", {"M1": "agree"})])
    m = only(tally_scenario(data))
    assert m["participation_met"] is True and m["passed"] is True


def test_area_just_below_two_thirds_fails_even_when_persons_reach_it() -> None:
    # persons 2/3 exactly; area 19.99/30.00 < 2/3
    data = scenario(["9.99", "10.00", "10.01"], choices=[("o0", {"M1": "agree"}), ("o1", {"M1": "agree"})])
    m = only(tally_scenario(data))
    assert m["participation_persons_met"] is True
    assert m["participation_area_met"] is False
    assert m["participation_met"] is False and m["passed"] is False
    assert "面积" in m["reason"] and "三分之二" in m["reason"]


def test_area_exactly_two_thirds_with_persons_below_fails_on_persons() -> None:
    # one big unit of 20 of 30 m² takes part (area exactly 2/3), but 1 of 3 persons
    data = scenario(["20.00", "5.00", "5.00"], choices=[("o0", {"M1": "agree"})])
    m = only(tally_scenario(data))
    assert m["participation_area_met"] is True
    assert m["participation_persons_met"] is False
    assert m["passed"] is False


def test_area_exactly_two_thirds_with_persons_above_is_met() -> None:
    # 3 of 4 persons (75 %) holding exactly 20 of 30 m²
    data = scenario([10, 5, 5, 10], choices=[(f"o{i}", {"M1": "agree"}) for i in range(3)])
    m = only(tally_scenario(data))
    assert m["participation_area_met"] is True and m["participation_persons_met"] is True
    assert Decimal(m["participating_area"]) * 3 == Decimal(m["total_area"]) * 2


def test_persons_exactly_two_thirds_with_area_above_is_met() -> None:
    data = scenario([50, 40, 10], choices=[("o0", {"M1": "agree"}), ("o1", {"M1": "agree"})])
    m = only(tally_scenario(data))
    assert m["participating_persons"] * 3 == m["total_persons"] * 2
    assert m["participation_met"] is True


# --- approval: more than half (exactly half fails) -------------------------------------------------------------


def test_exactly_half_of_participating_persons_fails_majority() -> None:
    # four persons equal area: 2 agree, 2 disagree → persons 1/2, area 1/2 → fails
    data = scenario([10] * 4, choices=[(f"o{i}", {"M1": "agree" if i < 2 else "disagree"}) for i in range(4)])
    m = only(tally_scenario(data))
    assert m["participation_met"] is True
    assert m["approval_persons_met"] is False and m["approval_area_met"] is False
    assert m["passed"] is False and "过半数" in m["reason"]


def test_exactly_half_of_area_fails_though_persons_have_majority() -> None:
    # areas 30, 10, 10, 10; 3 small agree (30 = half of 60), the big one disagrees
    data = scenario(
        [30, 10, 10, 10],
        choices=[("o0", {"M1": "disagree"})] + [(f"o{i}", {"M1": "agree"}) for i in (1, 2, 3)],
    )
    m = only(tally_scenario(data))
    assert m["approval_persons_met"] is True
    assert m["approval_area_met"] is False
    assert m["passed"] is False


def test_exactly_half_of_persons_fails_though_area_has_majority() -> None:
    data = scenario(
        [30, 10, 10, 10],
        choices=[
            ("o0", {"M1": "agree"}),
            ("o1", {"M1": "agree"}),
            ("o2", {"M1": "disagree"}),
            ("o3", {"M1": "disagree"}),
        ],
    )
    m = only(tally_scenario(data))
    assert m["approval_area_met"] is True and m["approval_persons_met"] is False
    assert m["passed"] is False


def test_one_cent_over_half_of_area_passes() -> None:
    data = scenario(
        ["30.01", "10", "10", "10"],
        choices=[
            ("o0", {"M1": "agree"}),
            ("o1", {"M1": "agree"}),
            ("o2", {"M1": "agree"}),
            ("o3", {"M1": "disagree"}),
        ],
    )
    m = only(tally_scenario(data))
    assert m["passed"] is True


# --- approval: three quarters (the bound included) -------------------------------------------------------------


def test_exactly_three_quarters_passes_item_8() -> None:
    data = scenario(
        [10] * 4, items=(8,), choices=[(f"o{i}", {"M1": "agree" if i < 3 else "disagree"}) for i in range(4)]
    )
    m = only(tally_scenario(data))
    assert m["threshold"] == "three_quarters"
    assert m["passed"] is True and "四分之三以上" in m["reason"]


def test_area_one_cent_below_three_quarters_fails_item_6() -> None:
    # agree area 29.99 of 40.00 participating; persons 3 of 4 (exactly 3/4)
    data = scenario(
        ["9.99", "10", "10", "10.01"],
        items=(6,),
        choices=[
            ("o0", {"M1": "agree"}),
            ("o1", {"M1": "agree"}),
            ("o2", {"M1": "agree"}),
            ("o3", {"M1": "disagree"}),
        ],
    )
    m = only(tally_scenario(data))
    assert m["approval_persons_met"] is True and m["approval_area_met"] is False
    assert m["passed"] is False


def test_persons_below_three_quarters_fails_item_7_though_area_reaches_it() -> None:
    # 5 persons; big agrees + 2 small agree = 3/5 persons < 3/4; area (60+10+10)/100 = 80%
    data = scenario(
        [60, 10, 10, 10, 10],
        items=(7,),
        choices=[(f"o{i}", {"M1": "agree" if i < 3 else "disagree"}) for i in range(5)],
    )
    m = only(tally_scenario(data))
    assert m["approval_area_met"] is True and m["approval_persons_met"] is False
    assert m["passed"] is False


def test_area_exactly_three_quarters_with_persons_above_passes_item_7() -> None:
    # agree 30 of 40 participating m² (exactly 3/4), 4 of 5 persons
    data = scenario(
        [5, 5, 5, 15, 10],
        items=(7,),
        choices=[(f"o{i}", {"M1": "agree" if i < 4 else "disagree"}) for i in range(5)],
    )
    m = only(tally_scenario(data))
    assert Decimal(m["agree_area"]) * 4 == Decimal(m["participating_area"]) * 3
    assert m["approval_area_met"] is True and m["passed"] is True


def test_persons_exactly_three_quarters_with_area_above_passes_item_6() -> None:
    data = scenario(
        [10, 10, 10, 1],
        items=(6,),
        choices=[(f"o{i}", {"M1": "agree" if i < 3 else "disagree"}) for i in range(4)],
    )
    m = only(tally_scenario(data))
    assert m["agree_persons"] * 4 == m["participating_persons"] * 3
    assert m["approval_persons_met"] is True and m["passed"] is True


def test_same_votes_pass_a_majority_item_but_fail_a_three_quarter_item() -> None:
    data = scenario(
        [10] * 3,
        items=(4, 8),
        choices=[
            ("o0", {"M1": "agree", "M2": "agree"}),
            ("o1", {"M1": "agree", "M2": "agree"}),
            ("o2", {"M1": "disagree", "M2": "disagree"}),
        ],
    )
    m4, m8 = tally_scenario(data)["motions"]
    assert (m4["threshold"], m4["passed"]) == ("majority", True)
    assert (m8["threshold"], m8["passed"]) == ("three_quarters", False)


# --- persons, abstentions, missing motions, exact decimals -----------------------------------------------------


def test_abstentions_take_part_but_do_not_agree() -> None:
    data = scenario(
        [10] * 3, choices=[("o0", {"M1": "agree"}), ("o1", {"M1": "abstain"}), ("o2", {"M1": "abstain"})]
    )
    m = only(tally_scenario(data))
    assert m["participating_persons"] == 3 and m["agree_persons"] == 1
    assert m["participation_met"] is True and m["passed"] is False


def test_a_motion_missing_from_choices_means_not_taking_part_in_it() -> None:
    data = scenario(
        [10] * 3,
        items=(4, 5),
        choices=[("o0", {"M1": "agree", "M2": "agree"}), ("o1", {"M1": "agree"}), ("o2", {"M1": "agree"})],
    )
    m1, m2 = tally_scenario(data)["motions"]
    assert m1["participating_persons"] == 3
    assert m2["participating_persons"] == 1 and m2["participation_met"] is False


def test_owner_of_several_units_is_one_person_with_summed_area() -> None:
    data = scenario(["50.25", "49.75", "10"], owners=["A", "A", "B"], choices=[("A", {"M1": "agree"})])
    m = only(tally_scenario(data))
    assert m["total_persons"] == 2
    assert Decimal(m["participating_area"]) == Decimal("100.00")
    assert m["participating_persons"] == 1 and m["participation_met"] is False  # 1 of 2 persons


def test_all_developer_held_units_count_as_one_person_even_under_different_keys() -> None:
    data = scenario(
        [10, 10, 10, 10],
        owners=["D1", "D2", "x", "y"],
        dev=(0, 1),
        choices=[("D1", {"M1": "agree"}), ("x", {"M1": "agree"})],
    )
    m = only(tally_scenario(data))
    assert m["total_persons"] == 3
    assert Decimal(m["agree_area"]) == Decimal("30")


def test_two_keys_of_the_developer_cannot_both_vote() -> None:
    data = scenario(
        [10, 10, 10],
        owners=["D1", "D2", "x"],
        dev=(0, 1),
        choices=[("D1", {"M1": "agree"}), ("D2", {"M1": "agree"})],
    )
    with pytest.raises(ScenarioError, match="同一业主"):
        tally_scenario(data)


def test_areas_a_float_would_round_are_summed_exactly() -> None:
    # in floats 0.1 + 0.2 != 0.3; ten units of 0.10 and five of 0.20 total exactly 2.00
    areas = ["0.10"] * 10 + ["0.20"] * 5
    owners = [f"o{i}" for i in range(15)]
    choices = [(f"o{i}", {"M1": "agree"}) for i in range(12)]
    m = only(tally_scenario(scenario(areas, owners=owners, choices=choices)))
    assert Decimal(m["participating_area"]) == Decimal("1.40")
    assert Decimal(m["total_area"]) == Decimal("2.00")
    assert m["passed"] is True


def test_thirds_of_an_area_not_divisible_by_three_compare_exactly() -> None:
    # total 100.01; 2/3 of it = 66.6733…; 66.68 m² meets it, 66.67 m² does not (persons are checked apart)
    for part, met in (("66.68", True), ("66.67", False)):
        rest = Decimal("100.01") - Decimal(part)
        data = scenario([part, str(rest)], owners=["a", "b"], choices=[("a", {"M1": "agree"})])
        m = only(tally_scenario(data))
        assert m["participation_area_met"] is met, part
        assert m["participation_persons_met"] is False  # 1 of 2 persons


# --- bad input: exit status 2 and a clear message, no result line -----------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["ballots"].append({"voter": "nobody", "choices": {"M1": "agree"}}), "不在业主名册"),
        (lambda d: d["ballots"].append({"voter": "o0", "choices": {"M1": "agree"}}), "两张选票"),
        (lambda d: d["ballots"][0]["choices"].update({"M9": "agree"}), "未知表决事项"),
        (lambda d: d["ballots"][0]["choices"].update({"M1": "yes"}), "选择“yes”无效"),
        (lambda d: d["units"][1].update({"area": "0"}), "面积必须大于 0"),
        (lambda d: d["units"][1].update({"area": "-3.5"}), "面积必须大于 0"),
        (lambda d: d["motions"][0].update({"item": 10}), "1–9"),
    ],
)
def test_bad_scenarios_exit_2_with_a_message_and_print_no_result(tmp_path, capsys, mutate, message) -> None:
    data = scenario([10, 10, 10], choices=[("o0", {"M1": "agree"})])
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("tally_scenario", str(path), stdout=out, stderr=err)
    assert exc.value.code == 2
    assert message in err.getvalue()
    assert "{" not in out.getvalue()


def test_a_file_that_is_not_json_exits_2(tmp_path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("tally_scenario", str(path), stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 2 and "不是有效的 JSON" in err.getvalue()
