"""The pure tally of an owners' assembly (Civil Code art. 278, 1259; SPC interpretation art. 8–9).

No database access: `tally_scenario`, the result page, `tally_verify` and the benchmark all call this module.
Arithmetic is exact: areas are Decimal sums compared by integer cross-multiplication, persons are integers.

- Participation: participating area ≥ 2/3 of the total area AND participating persons ≥ 2/3 of all persons
  ("以上" includes the bound, art. 1259).
- Approval, items 6–8: agree ≥ 3/4 of the participating area AND of the participating persons.
- Approval, other items: agree > 1/2 of the participating area AND of the participating persons (exactly half fails).
- Abstentions take part and do not agree. A motion missing from a ballot's choices: that person did not take part.
- Persons: a unit is a person; an owner of several units is one person (areas summed); co-owners share one key;
  all developer-held (unsold or undelivered) units together are one person.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any, TypeVar

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"
CHOICES = (AGREE, DISAGREE, ABSTAIN)
CHOICE_LABELS = {AGREE: "同意", DISAGREE: "反对", ABSTAIN: "弃权"}
MAJORITY, THREE_QUARTERS = "majority", "three_quarters"
DEFAULT_THREE_QUARTER_ITEMS = frozenset({6, 7, 8})
ITEMS = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
DEVELOPER_KEY = "开发建设单位"


K = TypeVar("K", bound=Hashable)  # a person's key: an owner key in a scenario, a row id in the database


class ScenarioError(ValueError):
    """The input cannot be tallied; the message says why, in Chinese."""


@dataclass(frozen=True)
class UnitIn:
    id: str
    area: Decimal
    owner: str
    developer_held: bool = False


@dataclass(frozen=True)
class MotionIn:
    id: str
    item: int
    title: str = ""


@dataclass(frozen=True)
class BallotIn:
    voter: str
    choices: Mapping[str, str]


@dataclass(frozen=True)
class Electorate:
    """Persons after grouping: `person_of` maps an owner key to its person; `area` and `units` per person."""

    person_of: Mapping[str, str]
    area: Mapping[str, Decimal]
    units: Mapping[str, tuple[str, ...]]

    @property
    def total_area(self) -> Decimal:
        return _dsum(self.area.values())

    @property
    def total_persons(self) -> int:
        return len(self.area)


@dataclass
class MotionResult:
    id: str
    item: int
    title: str
    threshold: str
    total_area: Decimal
    total_persons: int
    participating_area: Decimal
    participating_persons: int
    agree_area: Decimal
    agree_persons: int
    disagree_area: Decimal = Decimal(0)
    disagree_persons: int = 0
    abstain_area: Decimal = Decimal(0)
    abstain_persons: int = 0
    participation_met: bool = False
    participation_area_met: bool = False
    participation_persons_met: bool = False
    approval_area_met: bool = False
    approval_persons_met: bool = False
    passed: bool = False
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `tally_scenario` (areas as decimal strings), plus the per-choice figures."""
        return {
            "id": self.id,
            "item": self.item,
            "threshold": self.threshold,
            "total_area": str(self.total_area),
            "total_persons": self.total_persons,
            "participating_area": str(self.participating_area),
            "participating_persons": self.participating_persons,
            "agree_area": str(self.agree_area),
            "agree_persons": self.agree_persons,
            "participation_met": self.participation_met,
            "passed": self.passed,
            "reason": self.reason,
            # beyond the format: the title, the other choices and each of the four conditions
            "title": self.title,
            "disagree_area": str(self.disagree_area),
            "disagree_persons": self.disagree_persons,
            "abstain_area": str(self.abstain_area),
            "abstain_persons": self.abstain_persons,
            "participation_area_met": self.participation_area_met,
            "participation_persons_met": self.participation_persons_met,
            "approval_area_met": self.approval_area_met,
            "approval_persons_met": self.approval_persons_met,
        }


def _dsum(values: Iterable[Decimal]) -> Decimal:
    # Decimal addition of 2-place numbers is exact as long as the precision holds the digits; raise it to be sure.
    with localcontext() as ctx:
        ctx.prec = 60
        total = Decimal(0)
        for v in values:
            total += v
        return total


def threshold_for(item: int, three_quarter_items: Iterable[int] = DEFAULT_THREE_QUARTER_ITEMS) -> str:
    return THREE_QUARTERS if item in frozenset(three_quarter_items) else MAJORITY


# --- exact comparisons --------------------------------------------------------------------------------------


def at_least_two_thirds(part: Decimal | int, whole: Decimal | int) -> bool:
    """part ≥ 2/3 · whole, i.e. 3·part ≥ 2·whole ("三分之二以上" includes the bound)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return whole > 0 and 3 * part >= 2 * whole


def at_least_three_quarters(part: Decimal | int, whole: Decimal | int) -> bool:
    with localcontext() as ctx:
        ctx.prec = 60
        return whole > 0 and 4 * part >= 3 * whole


def more_than_half(part: Decimal | int, whole: Decimal | int) -> bool:
    """part > 1/2 · whole ("过半数": exactly half fails)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return whole > 0 and 2 * part > whole


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """Share in percent, rounded half up to two places (66/154 → 42.86); for display only: every verdict is
    decided on the exact figures (`at_least_two_thirds` and friends), never on this rounded share."""
    if not whole:
        return Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- grouping units into persons --------------------------------------------------------------------------


def group_persons(units: Sequence[UnitIn]) -> Electorate:
    """Owner keys → persons. Keys that share a unit's developer-held status are one person (the developer)."""
    if not units:
        raise ScenarioError("没有房屋（units 为空），无法计票")
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        root = k
        while parent[root] != root:
            root = parent[root]
        while parent[k] != root:
            parent[k], k = root, parent[k]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    seen_ids: set[str] = set()
    first_dev: str | None = None
    for u in units:
        if u.id in seen_ids:
            raise ScenarioError(f"房屋编号“{u.id}”重复")
        seen_ids.add(u.id)
        parent.setdefault(u.owner, u.owner)
        if u.developer_held:
            if first_dev is None:
                first_dev = u.owner
            else:
                union(first_dev, u.owner)
    area: dict[str, Decimal] = {}
    unit_ids: dict[str, list[str]] = {}
    for u in units:
        root = find(u.owner)
        area[root] = _dsum((area.get(root, Decimal(0)), u.area))
        unit_ids.setdefault(root, []).append(u.id)
    person_of = {k: find(k) for k in parent}
    return Electorate(person_of=person_of, area=area, units={k: tuple(v) for k, v in unit_ids.items()})


# --- the tally ----------------------------------------------------------------------------------------------


def tally_persons(
    *,
    person_area: Mapping[K, Decimal],
    motions: Sequence[MotionIn],
    choices_by_person: Mapping[K, Mapping[str, str]],
    three_quarter_items: Iterable[int] = DEFAULT_THREE_QUARTER_ITEMS,
) -> list[MotionResult]:
    """The tally once persons are known: `choices_by_person` holds each voting person's choices by motion id."""
    tq = frozenset(three_quarter_items)
    # Exact integer arithmetic: every area scaled by 10^places (places = the most decimals any area has).
    places = max((-int(a.as_tuple().exponent) for a in person_area.values()), default=0)
    places = max(places, 0)
    scaled = {p: int(a.scaleb(places)) for p, a in person_area.items()}

    def back(n: int) -> Decimal:
        return Decimal(n).scaleb(-places)

    total_area = back(sum(scaled.values()))
    total_persons = len(person_area)
    # One pass over the ballots: per motion, per choice, the scaled area sum and the head count.
    index = {m.id: i for i, m in enumerate(motions)}
    slot = {c: j for j, c in enumerate(CHOICES)}
    area_sum = [[0, 0, 0] for _ in motions]
    heads = [[0, 0, 0] for _ in motions]
    for person, choices in choices_by_person.items():
        a = scaled[person]
        for motion_id, choice in choices.items():
            i, j = index[motion_id], slot[choice]
            area_sum[i][j] += a
            heads[i][j] += 1
    results = []
    for i, m in enumerate(motions):
        agree_a, dis_a, abs_a = (back(x) for x in area_sum[i])
        agree_p, dis_p, abs_p = heads[i]
        part_a, part_p = back(sum(area_sum[i])), agree_p + dis_p + abs_p
        r = MotionResult(
            id=m.id,
            item=m.item,
            title=m.title,
            threshold=threshold_for(m.item, tq),
            total_area=total_area,
            total_persons=total_persons,
            participating_area=part_a,
            participating_persons=part_p,
            agree_area=agree_a,
            agree_persons=agree_p,
            disagree_area=dis_a,
            disagree_persons=dis_p,
            abstain_area=abs_a,
            abstain_persons=abs_p,
        )
        r.participation_area_met = at_least_two_thirds(part_a, total_area)
        r.participation_persons_met = at_least_two_thirds(part_p, total_persons)
        r.participation_met = r.participation_area_met and r.participation_persons_met
        test = at_least_three_quarters if r.threshold == THREE_QUARTERS else more_than_half
        r.approval_area_met = test(agree_a, part_a)
        r.approval_persons_met = test(agree_p, part_p)
        r.passed = r.participation_met and r.approval_area_met and r.approval_persons_met
        r.reason = explain(r)
        results.append(r)
    return results


def explain(r: MotionResult) -> str:
    """One sentence, citing the rule, saying why the motion passed or failed."""
    law = "《民法典》第二百七十八条第二款"
    part = (
        f"参与表决的专有部分面积 {r.participating_area}/{r.total_area} ㎡（{percent(r.participating_area, r.total_area)}%），"
        f"人数 {r.participating_persons}/{r.total_persons} 人（{percent(r.participating_persons, r.total_persons)}%）"
    )
    if not r.participation_met:
        missing = []
        if not r.participation_area_met:
            missing.append("面积")
        if not r.participation_persons_met:
            missing.append("人数")
        return (
            f"未通过：{part}，{'和'.join(missing)}未达到三分之二；依据{law}，须由专有部分面积占比三分之二以上"
            f"且人数占比三分之二以上的业主参与表决（“以上”含本数，第一千二百五十九条）。"
        )
    if r.threshold == THREE_QUARTERS:
        bound, rule = (
            "四分之三以上（含本数）",
            f"第二百七十八条第一款第（{_cn_item(r.item)}）项事项，依据{law}须经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意",
        )
    else:
        bound, rule = (
            "过半数（恰好一半不算过半）",
            f"依据{law}，第（{_cn_item(r.item)}）项事项须经参与表决专有部分面积过半数且参与表决人数过半数的业主同意",
        )
    agree = (
        f"同意面积 {r.agree_area}/{r.participating_area} ㎡（{percent(r.agree_area, r.participating_area)}%），"
        f"同意人数 {r.agree_persons}/{r.participating_persons} 人（{percent(r.agree_persons, r.participating_persons)}%）"
    )
    if r.passed:
        return f"通过：{part}，均达到三分之二以上；{agree}，均达到{bound}；{rule}。"
    missing = []
    if not r.approval_area_met:
        missing.append("同意面积")
    if not r.approval_persons_met:
        missing.append("同意人数")
    return f"未通过：{part}，参与已达到三分之二以上；但{agree}，其中{'和'.join(missing)}未达到{bound}；{rule}（弃权计入参与、不计入同意）。"


def _cn_item(item: int) -> str:
    return "一二三四五六七八九"[item - 1] if 1 <= item <= 9 else str(item)


# --- scenario input (the JSON of `tally_scenario` and of the published ballot download) ----------------------


def parse_area(value: Any, *, where: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ScenarioError(f"{where}：面积“{value}”不是数字") from None
    if not area.is_finite() or area <= 0:
        raise ScenarioError(f"{where}：面积必须大于 0（收到“{value}”）")
    return area


def parse_scenario(data: Any) -> tuple[list[UnitIn], list[MotionIn], list[BallotIn]]:
    if not isinstance(data, dict):
        raise ScenarioError("输入必须是一个 JSON 对象，含 units、motions、ballots")
    for key in ("units", "motions", "ballots"):
        if not isinstance(data.get(key), list):
            raise ScenarioError(f"缺少列表“{key}”")
    units = []
    for i, u in enumerate(data["units"], start=1):
        if not isinstance(u, dict) or "id" not in u or "area" not in u or "owner" not in u:
            raise ScenarioError(f"第 {i} 套房屋缺少 id、area 或 owner")
        uid = str(u["id"])
        owner = str(u["owner"]).strip()
        if not owner:
            raise ScenarioError(f"房屋“{uid}”的 owner 为空")
        units.append(
            UnitIn(
                id=uid,
                area=parse_area(u["area"], where=f"房屋“{uid}”"),
                owner=owner,
                developer_held=bool(u.get("developer_held", False)),
            )
        )
    motions = []
    seen: set[str] = set()
    for i, m in enumerate(data["motions"], start=1):
        if not isinstance(m, dict) or "id" not in m or "item" not in m:
            raise ScenarioError(f"第 {i} 项表决事项缺少 id 或 item")
        mid = str(m["id"])
        if mid in seen:
            raise ScenarioError(f"表决事项编号“{mid}”重复")
        seen.add(mid)
        item = m["item"]
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 9:
            raise ScenarioError(
                f"表决事项“{mid}”的 item 必须是 1–9 的整数（民法典第二百七十八条所列事项），收到“{item}”"
            )
        motions.append(MotionIn(id=mid, item=item, title=str(m.get("title", ""))))
    if not motions:
        raise ScenarioError("没有表决事项（motions 为空）")
    ballots = []
    for i, b in enumerate(data["ballots"], start=1):
        if not isinstance(b, dict) or "voter" not in b or not isinstance(b.get("choices"), dict):
            raise ScenarioError(f"第 {i} 张选票缺少 voter 或 choices")
        ballots.append(BallotIn(voter=str(b["voter"]), choices={str(k): v for k, v in b["choices"].items()}))
    return units, motions, ballots


def ballots_by_person(
    electorate: Electorate, motions: Sequence[MotionIn], ballots: Sequence[BallotIn]
) -> dict[str, Mapping[str, str]]:
    motion_ids = {m.id for m in motions}
    out: dict[str, Mapping[str, str]] = {}
    voter_of: dict[str, str] = {}
    for i, b in enumerate(ballots, start=1):
        person = electorate.person_of.get(b.voter)
        if person is None:
            raise ScenarioError(f"第 {i} 张选票的投票人“{b.voter}”不在业主名册（units 的 owner）中")
        if person in out:
            if voter_of[person] == b.voter:
                raise ScenarioError(f"投票人“{b.voter}”投了两张选票（第 {i} 张重复）；每人只能投一票")
            raise ScenarioError(
                f"第 {i} 张选票的投票人“{b.voter}”与“{voter_of[person]}”计为同一业主"
                f"（开发建设单位未售出或未交付的房屋合计为一人），只能投一票"
            )
        for motion_id, choice in b.choices.items():
            if motion_id not in motion_ids:
                raise ScenarioError(f"第 {i} 张选票（{b.voter}）含未知表决事项“{motion_id}”")
            if choice not in CHOICES:
                raise ScenarioError(
                    f"第 {i} 张选票（{b.voter}）对“{motion_id}”的选择“{choice}”无效，"
                    f"应为 agree（同意）、disagree（反对）或 abstain（弃权）"
                )
        out[person] = b.choices
        voter_of[person] = b.voter
    return out


def tally_scenario(
    data: Any, *, three_quarter_items: Iterable[int] = DEFAULT_THREE_QUARTER_ITEMS
) -> dict[str, Any]:
    """Parse, check and tally a scenario; returns {"motions": [...]} or raises ScenarioError."""
    units, motions, ballots = parse_scenario(data)
    electorate = group_persons(units)
    by_person = ballots_by_person(electorate, motions, ballots)
    results = tally_persons(
        person_area=electorate.area,
        motions=motions,
        choices_by_person=by_person,
        three_quarter_items=three_quarter_items,
    )
    return {"motions": [r.as_dict() for r in results]}
