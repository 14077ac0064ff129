"""Reads of the voting app, scoped by role. The published documents (electorate, ballots) are built here."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_in_counties_of, estates_visible_to

from .models import (
    PUBLIC_RESULT_STATES,
    VISIBLE_TO_OWNERS,
    Assembly,
    AssemblyStatus,
    Ballot,
    ElectorPerson,
    ElectorUnit,
    ElectorVoter,
    Motion,
    MotionDocument,
    Objection,
)
from .tally import MotionIn, MotionResult, at_least_two_thirds, percent, tally_persons
from .thresholds import three_quarter_items


def cn_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    v = timezone.localtime(value)
    return f"{v.year}年{v.month}月{v.day}日 {v:%H:%M}"


def assemblies_visible_to(user: User) -> QuerySet[Assembly]:
    """Bureau and task force: their county's (`in_counties_of`); a committee member: their estate's; an owner: their estates' once voting opened."""
    qs = Assembly.objects.select_related("estate", "estate__town")
    if not user.is_authenticated:
        return qs.none()
    if user.role in BUREAU_ROLES:
        return qs.filter(estate_in_counties_of(user))
    if user.role == Role.COMMITTEE_MEMBER and user.estate_id is not None:
        return qs.filter(estate_id=user.estate_id)
    if user.role == Role.OWNER:
        return qs.filter(estate__in=estates_visible_to(user).values("pk"), status__in=VISIBLE_TO_OWNERS)
    return qs.none()


def assembly_get_visible(user: User, *, pk: int) -> Assembly:
    assembly = assemblies_visible_to(user).filter(pk=pk).first()
    if assembly is None:
        raise Http404("没有找到该表决，或您无权查看")
    return assembly


def assembly_visible_or_none(user: User, *, pk: int) -> Assembly | None:
    return assemblies_visible_to(user).filter(pk=pk).first()


def motion_get_visible(user: User, *, pk: int) -> Motion:
    """A motion of an assembly the user may see, else 404."""
    return get_object_or_404(
        Motion.objects.filter(assembly__in=assemblies_visible_to(user).values("pk")).select_related(
            "assembly"
        ),
        pk=pk,
    )


def document_get_visible(user: User, *, pk: int) -> MotionDocument:
    return get_object_or_404(
        MotionDocument.objects.filter(
            motion__assembly__in=assemblies_visible_to(user).values("pk")
        ).select_related("motion"),
        pk=pk,
    )


def objection_get_visible(user: User, *, pk: int) -> Objection:
    return get_object_or_404(
        Objection.objects.filter(assembly__in=assemblies_visible_to(user).values("pk")).select_related(
            "assembly"
        ),
        pk=pk,
    )


def objections_of(assembly: Assembly) -> QuerySet[Objection]:
    return assembly.objections.select_related("raised_by").order_by("raised_at")


def paper_ballot_get(assembly: Assembly, *, receipt: str) -> Ballot:
    return get_object_or_404(Ballot, assembly=assembly, receipt=receipt, channel=Ballot.Channel.PAPER)


def estate_for_new_assembly(user: User, *, code: str) -> Estate | None:
    """The estate an assembly is created for: a committee member's own; for the bureau, the one with that code."""
    if user.role == Role.COMMITTEE_MEMBER:
        return estates_visible_to(user).first()  # a committee member sees exactly their estate
    return estates_visible_to(user).filter(code=(code or "").strip()).first()


def assembly_get_published(*, pk: int) -> Assembly:
    """Anyone may read a published result (names never appear in it)."""
    assembly = (
        Assembly.objects.select_related("estate").filter(pk=pk, status__in=PUBLIC_RESULT_STATES).first()
    )
    if assembly is None:
        raise Http404("该表决结果尚未公示")
    return assembly


def ballots_visible_to(user: User | AnonymousUser, assembly: Assembly) -> bool:
    """The per-unit ballot list, its download and its digest: the estate's owners, its committee and the bureau.
    Everyone else (the public, companies, the city) sees the totals against the threshold lines only."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return assemblies_visible_to(user).filter(pk=assembly.pk).exists()


def assembly_list(user: User) -> QuerySet[Assembly]:
    return (
        assemblies_visible_to(user)
        .annotate(
            motion_count=Count("motions", distinct=True),
        )
        .order_by("-vote_start", "-pk")
    )


def motions_of(assembly: Assembly) -> QuerySet[Motion]:
    return assembly.motions.order_by("seq").prefetch_related("documents")


def voter_of(user: User, assembly: Assembly) -> ElectorVoter | None:
    if user.role != Role.OWNER or not user.owner_id:
        return None
    return (
        ElectorVoter.objects.select_related("person")
        .filter(assembly=assembly, owner_id=user.owner_id)
        .first()
    )


def ballot_of_person(assembly: Assembly, person: ElectorPerson) -> Ballot | None:
    return Ballot.objects.filter(assembly=assembly, person=person).first()


# --- participation (live, aggregate only) ---------------------------------------------------------------------


def participation(assembly: Assembly) -> dict[str, Any]:
    """Persons and area that have voted so far, against the two-thirds line; never who voted how."""
    agg = Ballot.objects.filter(assembly=assembly).aggregate(
        persons=Count("id"),
        area=Sum("person__area"),
        paper=Count("id", filter=Q(channel=Ballot.Channel.PAPER)),
    )
    persons, area = agg["persons"] or 0, Decimal(agg["area"] or 0).quantize(Decimal("0.01"))
    total_p, total_a = assembly.total_persons or 0, assembly.total_area or Decimal("0.00")
    return {
        "persons": persons,
        "area": area,
        "paper": agg["paper"] or 0,
        "online": persons - (agg["paper"] or 0),
        "total_persons": total_p,
        "total_area": total_a,
        "persons_pct": percent(persons, total_p),
        "area_pct": percent(area, total_a),
        "persons_met": at_least_two_thirds(persons, total_p),
        "area_met": at_least_two_thirds(area, total_a),
        "line_pct": Decimal("66.67"),
    }


# --- the tally from the database ------------------------------------------------------------------------------


def _motion_inputs(assembly: Assembly) -> list[MotionIn]:
    return [
        MotionIn(id=c, item=i, title=t)
        for c, i, t in assembly.motions.order_by("seq").values_list("code", "item", "title")
    ]


def tally_from_db(assembly: Assembly) -> list[MotionResult]:
    """The tally straight from the frozen snapshot: each person's summed area and each ballot's choices.
    The database extracts each motion's choice as text (no JSON decoding of 15,000 documents in Python)."""
    motions = _motion_inputs(assembly)
    person_area = dict(ElectorPerson.objects.filter(assembly=assembly).values_list("id", "area"))
    codes = [m.id for m in motions]
    rows = Ballot.objects.filter(assembly=assembly).values_list(
        "person_id", *[KT(f"choices__{code}") for code in codes]
    )
    choices = {row[0]: {c: v for c, v in zip(codes, row[1:], strict=True) if v is not None} for row in rows}
    return tally_persons(
        person_area=person_area,
        motions=motions,
        choices_by_person=choices,
        three_quarter_items=three_quarter_items(),
    )


# --- the published documents ----------------------------------------------------------------------------------


def electorate_units(assembly: Assembly) -> list[dict[str, Any]]:
    rows = (
        ElectorUnit.objects.filter(assembly=assembly)
        .order_by("id")
        .values_list("label", "area", "person__key", "developer_held")
    )
    return [
        {"id": label, "area": str(area), "owner": key, "developer_held": held}
        for label, area, key, held in rows
    ]


def electorate_document(assembly: Assembly) -> dict[str, Any]:
    """The frozen electorate as published when voting opens: units with area and an anonymous person key."""
    return {
        "assembly": assembly.pk,
        "units": electorate_units(assembly),
        "motions": [{"id": m.id, "item": m.item, "title": m.title} for m in _motion_inputs(assembly)],
    }


def ballots_document(assembly: Assembly) -> dict[str, Any]:
    """What the digest covers and what anyone can download and re-tally (`tally_scenario` reads it as is)."""
    doc = electorate_document(assembly)
    rows = (
        Ballot.objects.filter(assembly=assembly)
        .order_by("receipt")
        .values_list("receipt", "person__key", "channel", "choices")
    )
    doc["ballots"] = [{"receipt": r, "voter": k, "channel": c, "choices": ch} for r, k, c, ch in rows]
    return doc


# --- result presentation ---------------------------------------------------------------------------------------


def result_rows(assembly: Assembly) -> list[dict[str, Any]]:
    """The frozen result with the rates the result page draws as bars against their threshold lines."""
    rows = []
    for m in (assembly.result or {}).get("motions", []):
        total_a, part_a, agree_a = (
            Decimal(m["total_area"]),
            Decimal(m["participating_area"]),
            Decimal(m["agree_area"]),
        )
        total_p, part_p, agree_p = m["total_persons"], m["participating_persons"], m["agree_persons"]
        tq = m["threshold"] == "three_quarters"
        rows.append(
            m
            | {
                "part_area_pct": percent(part_a, total_a),
                "part_persons_pct": percent(part_p, total_p),
                "agree_area_pct": percent(agree_a, part_a),
                "agree_persons_pct": percent(agree_p, part_p),
                "approval_line": Decimal("75.00") if tq else Decimal("50.00"),
                "approval_label": "四分之三以上" if tq else "过半数",
            }
        )
    return rows


def published_ballots(assembly: Assembly, *, receipt: str = "") -> QuerySet[Ballot]:
    qs = Ballot.objects.filter(assembly=assembly).select_related("person").order_by("receipt")
    if receipt:
        qs = qs.filter(receipt=receipt.strip().upper())
    return qs


def electorate_persons(assembly: Assembly, *, q: str = "") -> QuerySet[ElectorPerson]:
    qs = ElectorPerson.objects.filter(assembly=assembly).order_by("key")
    if q:
        qs = qs.filter(Q(units_label__contains=q.strip()) | Q(key=q.strip()))
    return qs


# --- home panel ------------------------------------------------------------------------------------------------


def home_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False) or user.role not in {
        *BUREAU_ROLES,
        Role.COMMITTEE_MEMBER,
        Role.OWNER,
    }:
        return None
    url = reverse("voting:home")
    qs = assemblies_visible_to(user)
    open_qs = qs.filter(status=AssemblyStatus.OPEN)
    items: list[tuple[str, Any, str | None]] = [("投票中的表决", open_qs.count(), url)]
    if user.role == Role.OWNER:
        pending = (
            ElectorVoter.objects.filter(
                owner_id=user.owner_id,
                may_vote=True,
                assembly__status=AssemblyStatus.OPEN,
            )
            .exclude(Exists(Ballot.objects.filter(person=OuterRef("person"))))
            .count()
        )
        items.append(("待我投票", pending, url))
    else:
        items.append(("公示中的结果", qs.filter(status=AssemblyStatus.PUBLISHED).count(), url))
        items.append(("筹备中", qs.filter(status=AssemblyStatus.DRAFT).count(), url))
    return {"title": "业主大会电子投票", "items": items}
