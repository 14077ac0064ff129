"""Reads of the triage app: the queue, the accuracy of suggestions, corrections as training data."""

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.common.dates import now
from wuye.intake.models import Lead, LeadStatus
from wuye.intake.selectors import leads_visible_to

from .ml import LABELS, Example
from .models import Correction, Decision, Review, Suggestion

ACCURACY_WINDOW_DAYS = 30


def queue_leads(user: Any) -> QuerySet[Lead]:
    """New leads of every channel, urgent first, then the longest waiting. Bureau roles only."""
    if not getattr(user, "is_authenticated", False) or user.role not in BUREAU_ROLES:
        return Lead.objects.none()
    return (
        leads_visible_to(user)
        .filter(status=LeadStatus.NEW)
        .select_related("estate", "suggestion")
        .order_by("-urgent", "created_at", "id")
    )


def queue_lead_get(user: Any, *, pk: int) -> Lead | None:
    return queue_leads(user).filter(pk=pk).first()


def accuracy(*, days: int = ACCURACY_WINDOW_DAYS) -> dict[str, Any]:
    """Share of suggestions decided in the last `days` days whose category staff kept."""
    since = now() - dt.timedelta(days=days)
    decided = (
        Suggestion.objects.filter(decided_at__gte=since)
        .exclude(decision=Decision.PENDING)
        .exclude(final_category="")
    )
    agg = decided.aggregate(
        n=Count("id"),
        right=Count("id", filter=Q(final_category=F("category"))),
        urgent=Count("id", filter=Q(urgent=True)),
    )
    n, right = agg["n"], agg["right"]
    return {
        "days": days,
        "n": n,
        "right": right,
        "rate": (right / n) if n else None,
        "pending": Suggestion.objects.filter(decision=Decision.PENDING, lead__status=LeadStatus.NEW).count(),
    }


def home_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False) or user.role not in BUREAU_ROLES:
        return None
    url = reverse("triage:queue")
    waiting = leads_visible_to(user).filter(status=LeadStatus.NEW)
    items: list[tuple[str, Any, str | None]] = [
        ("待分拣线索", waiting.count(), url),
        ("其中紧急", waiting.filter(urgent=True).count(), url),
    ]
    if user.role == Role.BUREAU_ADMIN:
        acc = accuracy()
        rate = "—" if acc["rate"] is None else f"{acc['rate'] * 100:.1f}%（{acc['right']}/{acc['n']}）"
        items.append((f"近{acc['days']}天建议类别采纳准确率", rate, url))
    return {"title": "智能分拣", "items": items}


def correction_examples() -> list[Example]:
    """Staff corrections the office head approved, as training lines (the latest approved correction of a lead
    wins; pending and rejected ones are never used)."""
    latest: dict[int, Correction] = {}
    for c in Correction.objects.filter(review=Review.APPROVED).order_by("created_at", "id"):
        latest[c.lead_id] = c
    return [Example(c.text, c.category, "urgent" if c.urgent else "normal") for c in latest.values()]


def accuracy_by_class(*, days: int = ACCURACY_WINDOW_DAYS) -> list[dict[str, Any]]:
    """Per suggested class, over the suggestions decided in the last `days` days: how many, how many kept."""
    since = now() - dt.timedelta(days=days)
    rows = (
        Suggestion.objects.filter(decided_at__gte=since)
        .exclude(decision=Decision.PENDING)
        .exclude(final_category="")
        .values("category")
        .annotate(n=Count("id"), right=Count("id", filter=Q(final_category=F("category"))))
    )
    by_code = {r["category"]: r for r in rows}
    out = []
    for code in LABELS:
        r = by_code.get(code)
        if r:
            out.append({"code": code, "n": r["n"], "right": r["right"], "rate": r["right"] / r["n"]})
    return out


def corrections_for_review(user: Any, *, status: str = Review.PENDING) -> QuerySet[Correction]:
    """Corrections awaiting (or past) the office head's review. bureau_admin only."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.BUREAU_ADMIN:
        return Correction.objects.none()
    return (
        Correction.objects.filter(review=status, lead__in=leads_visible_to(user))
        .select_related("lead", "actor", "suggestion", "reviewed_by")
        .order_by("created_at", "id")
    )


def correction_visible(user: Any, *, pk: int) -> bool:
    """A correction of a lead of the office head's county (any review state)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.BUREAU_ADMIN:
        return False
    return Correction.objects.filter(pk=pk, lead__in=leads_visible_to(user)).exists()
