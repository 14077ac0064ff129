"""Scores, levels and their explanation, derived from the events as of a date: never stored, always re-computed.

A line of the explanation is the base score or one event that counts on that date (not annulled, dated on or
before it, expiring after it), with the points the rule then in force gives its type (or the points a review
set). The lines' points sum to the score; a live veto event sets the lowest level whatever the points."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from wuye.common.dates import today
from wuye.registry.models import PropertyCompany

from .models import CreditEvent, CreditObjection, EventStatus, ObjectionStatus
from .rules import Rule, rule_in_force
from .types import type_label


@dataclass(frozen=True)
class Line:
    event: str  # what happened, in words
    type: str
    points: int
    source: str
    date: dt.date | None
    expires: dt.date | None
    event_id: int | None = None
    estate: str = ""
    disputed: bool = False
    veto: bool = False
    source_url: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "points": self.points,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True)
class Explanation:
    company: PropertyCompany
    on: dt.date
    rule: Rule
    lines: list[Line]

    @property
    def score(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def veto(self) -> bool:
        return any(line.veto for line in self.lines)

    @property
    def level(self) -> str:
        return self.rule.level_of(self.score, veto=self.veto)

    @property
    def event_lines(self) -> list[Line]:
        return [line for line in self.lines if line.event_id is not None]

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "level": self.level, "lines": [line.as_json() for line in self.lines]}


def events_counting(on: dt.date) -> QuerySet[CreditEvent]:
    """The events that count on `on`: recorded for a date up to it, not yet expired, not annulled."""
    open_objection = CreditObjection.objects.filter(event=OuterRef("pk"), status=ObjectionStatus.OPEN)
    return (
        CreditEvent.objects.filter(date__lte=on, expires__gt=on)
        .exclude(status=EventStatus.ANNULLED)
        .annotate(disputed=Exists(open_objection))
        .select_related("estate")
        .order_by("date", "id")
    )


def event_points(event: CreditEvent, rule: Rule) -> int:
    return event.points_override if event.points_override is not None else rule.points_of(event.type)


def _line(event: CreditEvent, rule: Rule) -> Line:
    return Line(
        event=f"{type_label(event.type)}：{event.summary}",
        type=event.type,
        points=event_points(event, rule),
        source=event.source_label,
        date=event.date,
        expires=event.expires,
        event_id=event.pk,
        estate=event.estate.name if event.estate else "",
        disputed=bool(getattr(event, "disputed", False)),
        veto=event.type in rule.veto_types,
        source_url=event.source_url,
    )


def _explain(company: PropertyCompany, on: dt.date, rule: Rule, events: Iterable[CreditEvent]) -> Explanation:
    base = Line(
        event="基础分", type="base", points=rule.base_score, source=rule.label, date=None, expires=None
    )
    return Explanation(company=company, on=on, rule=rule, lines=[base, *(_line(e, rule) for e in events)])


def explain(company: PropertyCompany, *, on: dt.date | None = None) -> Explanation:
    day = on or today()
    rule = rule_in_force(day)
    return _explain(company, day, rule, events_counting(day).filter(company=company))


def explain_all(
    *, on: dt.date | None = None, companies: QuerySet[PropertyCompany] | None = None
) -> list[Explanation]:
    """Every company's explanation in two queries (companies, events), ordered by company name."""
    day = on or today()
    rule = rule_in_force(day)
    qs = companies if companies is not None else PropertyCompany.objects.all()
    company_list = list(qs.order_by("name", "pk"))
    by_company: dict[int, list[CreditEvent]] = defaultdict(list)
    for e in events_counting(day).filter(company__in=[c.pk for c in company_list]):
        by_company[e.company_id].append(e)
    return [_explain(c, day, rule, by_company.get(c.pk, [])) for c in company_list]
