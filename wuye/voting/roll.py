"""The frozen electorate and the ballot helpers: the roll snapshot (persons from units and owners), receipts, the
digests published with the results, and the check of a ballot's choices."""

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from wuye.common.errors import DomainError
from wuye.registry.models import Ownership, Unit

from .models import (
    Assembly,
    ElectorPerson,
    ElectorUnit,
    ElectorVoter,
)
from .tally import CHOICES, DEVELOPER_KEY

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone


def canonical_json(data: Any) -> bytes:
    """The bytes that digests are taken over: sorted keys, no spaces, UTF-8 (documented in docs/voting.md)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _snapshot_build(assembly: Assembly) -> tuple[int, Decimal]:
    """Group the estate's units into persons: units sharing an owner are one person (a buyer of several units;
    co-owners); all developer-held units are one person (their registered buyers, if any, do not vote for them)."""
    units = list(
        Unit.objects.filter(estate_id=assembly.estate_id)
        .order_by("building__name", "number", "id")
        .values_list("id", "building__name", "number", "area", "developer_held")
    )
    ownerships = list(
        Ownership.objects.filter(unit__estate_id=assembly.estate_id, unit__developer_held=False)
        .order_by("unit_id", "owner_id")
        .values_list("unit_id", "owner_id", "is_designated_voter")
    )
    parent = {u[0]: u[0] for u in units}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    dev_units = [u[0] for u in units if u[4]]
    for uid in dev_units[1:]:
        union(dev_units[0], uid)
    owners_of: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    first_unit_of_owner: dict[int, int] = {}
    for unit_id, owner_id, designated in ownerships:
        owners_of[unit_id].append((owner_id, designated))
        if owner_id in first_unit_of_owner:
            union(first_unit_of_owner[owner_id], unit_id)
        else:
            first_unit_of_owner[owner_id] = unit_id

    groups: dict[int, list[tuple[int, str, str, Decimal, bool]]] = {}
    for u in units:
        groups.setdefault(find(u[0]), []).append(u)
    # Who may vote online for each group: sole owners, and the designated voter of a co-owned unit.
    voting_owner: dict[int, tuple[int, bool]] = {}  # owner → (group root, may vote)
    for root, group in groups.items():
        for uid, *_ in group:
            owners = owners_of.get(uid, [])
            for owner_id, designated in owners:
                may = len(owners) == 1 or designated
                prev = voting_owner.get(owner_id)
                voting_owner[owner_id] = (root, may or (prev[1] if prev else False))
    online_roots = {root for root, may in voting_owner.values() if may}
    persons: list[ElectorPerson] = []
    n = 0
    for root, group in groups.items():  # dict order = order of each group's first unit by label
        is_dev = group[0][4]
        if not is_dev:
            n += 1
        persons.append(
            ElectorPerson(
                assembly=assembly,
                key=DEVELOPER_KEY if is_dev else f"P{n:05d}",
                area=sum((g[3] for g in group), Decimal(0)),
                unit_count=len(group),
                units_label="、".join(f"{g[1]}-{g[2]}" for g in group),
                is_developer=is_dev,
                can_vote_online=root in online_roots,
            )
        )
    ElectorPerson.objects.bulk_create(persons, batch_size=5000)
    person_of_root = dict(zip(groups, persons, strict=True))
    ElectorUnit.objects.bulk_create(
        [
            ElectorUnit(
                assembly=assembly,
                person=person_of_root[root],
                unit_id=uid,
                label=f"{bname}-{number}",
                area=area,
                developer_held=held,
            )
            for root, group in groups.items()
            for uid, bname, number, area, held in group
        ],
        batch_size=5000,
    )
    ElectorVoter.objects.bulk_create(
        [
            ElectorVoter(assembly=assembly, person=person_of_root[root], owner_id=owner_id, may_vote=may)
            for owner_id, (root, may) in voting_owner.items()
        ],
        batch_size=5000,
    )
    return len(persons), sum((p.area for p in persons), Decimal(0))


def _clean_choices(
    motions: Sequence[tuple[str, str]], choices: Mapping[str, str], *, require_all: bool
) -> dict[str, str]:
    """The choices checked against the assembly's motions, given as (code, title) in order."""
    codes = {code for code, _ in motions}
    out: dict[str, str] = {}
    for code, choice in choices.items():
        if code not in codes:
            raise DomainError(f"选择：表决事项“{code}”不属于本次表决", field="choices")
        if choice in ("", None):
            continue
        if choice not in CHOICES:
            raise DomainError(f"对“{code}”的选择无效，只能是同意、反对或弃权", field="choices")
        out[code] = choice
    missing = [(code, title) for code, title in motions if code not in out]
    if require_all and missing:
        names = "、".join(f"{code}“{title}”" for code, title in missing)
        raise DomainError(
            f"请对每一项表决事项作出选择（同意、反对或弃权），尚未选择：{names}", field="choices"
        )
    if not out:
        raise DomainError("选票上没有任何有效选择", field="choices")
    return {code: out[code] for code in sorted(out, key=lambda c: int(c[1:]) if c[1:].isdigit() else 0)}


def _duplicate_error(person: ElectorPerson) -> DomainError:
    return DomainError(
        f"选票：房屋 {person.units_label} 已投过票（每位业主只能投一票，不能重复投票或同时以书面和电子方式投票）",
        field="ballot",
    )
