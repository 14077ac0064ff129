import datetime as dt
import random
from collections import Counter

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from wuye.cases import services as cases
from wuye.cases.models import Case
from wuye.cases.selectors import overdue_q
from wuye.common.dates import today
from wuye.kernel.actors import SystemActor
from wuye.kernel.case_states import OPEN_STATES, CaseStatus
from wuye.oversight import services, stats
from wuye.oversight.models import DailySummary, StateSummary
from wuye.oversight.phases import CAMPAIGN_START

from .conftest import png

pytestmark = pytest.mark.django_db
JOB = SystemActor("daily_summary")


def recount() -> Counter:
    """The summary's figures counted straight from the ledger."""
    out: Counter = Counter()
    for c in Case.objects.all():
        out[(timezone.localtime(c.created_at).date(), c.estate_id, c.category, "received")] += 1
        if c.status in ("accepted", "unfounded") and c.closed_at:
            out[(timezone.localtime(c.closed_at).date(), c.estate_id, c.category, c.status)] += 1
    return out


def summary() -> Counter:
    out: Counter = Counter()
    for r in DailySummary.objects.all():
        for figure, n in (("received", r.received), ("accepted", r.accepted), ("unfounded", r.unfounded)):
            if n:
                out[(r.day, r.estate_id, r.category, figure)] += n
    return out


def state_recount() -> dict:
    """The state summary's figures counted straight from the ledger, case by case."""
    since = timezone.make_aware(dt.datetime.combine(CAMPAIGN_START, dt.time.min))
    overdue = set(Case.objects.filter(overdue_q()).values_list("pk", flat=True))
    out: dict = {}
    for c in Case.objects.all():
        row = out.setdefault((c.estate_id, c.company_id, c.category), Counter())
        row[c.status] += 1
        row["overdue"] += c.pk in overdue
        if c.created_at >= since and c.status in ("rectifying", "submitted", "returned", "accepted"):
            row["found_since"] += 1
            row["accepted_since"] += c.status == "accepted"
    return {k: +v for k, v in out.items()}


def state_summary() -> dict:
    figures = [*CaseStatus.values, "overdue", "found_since", "accepted_since"]
    return {
        (r.estate_id, r.company_id, r.category): +Counter({k: getattr(r, k) for k in figures})
        for r in StateSummary.objects.all()
    }


def assert_dashboard_figures_match_the_ledger() -> None:
    """What the dashboard reads from the summaries equals the live counts it used to make."""
    f = stats.Filters()
    live = Counter(Case.objects.values_list("status", flat=True))
    assert stats.status_counts(f) == {s: live.get(s, 0) for s in CaseStatus.values}
    end = today() + dt.timedelta(days=1)
    fast, slow = stats.closure_summary(f, CAMPAIGN_START, end), stats.closure(f.cases(), CAMPAIGN_START, end)
    assert {k: v for k, v in fast.items() if k != "median_days"} == {
        k: v for k, v in slow.items() if k != "median_days"
    }
    if slow["median_days"] is None:
        assert fast["median_days"] is None
    else:  # buckets of a tenth of a day: the same figure, give or take the last rounding
        assert abs(fast["median_days"] - slow["median_days"]) <= 0.1
    for start in (CAMPAIGN_START, today() - dt.timedelta(days=40), today().replace(day=1)):
        totals = stats.summary_totals(start, end, by_month=True)
        days = [(r.day, r) for r in DailySummary.objects.filter(day__gte=start, day__lt=end)]
        months: Counter = Counter()
        for day, r in days:
            months[(f"{day:%Y-%m}", "received")] += r.received
            months[(f"{day:%Y-%m}", "accepted")] += r.accepted
        assert totals.received == sum(r.received for _, r in days)
        assert totals.accepted == sum(r.accepted for _, r in days)
        assert (
            +Counter({(m, k): v[k] for m, v in totals.by_month.items() for k in ("received", "accepted")})
            == +months
        )
    for n in (1, 50):
        assert list(stats.overdue_cases(Case.objects.all(), n)) == list(
            Case.objects.filter(overdue_q()).order_by("deadline", "id")[:n]
        )
    for by in ("estate_id", "company_id"):
        rows = Case.objects.exclude(**{by: None}).values(by)
        want = [
            {by: r[by], "open": r["open"], "overdue": r["overdue"]}
            for r in rows.annotate(
                open=Count("pk", filter=Q(status__in=OPEN_STATES)), overdue=Count("pk", filter=overdue_q())
            )
            .filter(open__gt=0)
            .order_by("-open", "-overdue", by)[:10]
        ]
        assert stats.top_open(f, by, 10) == want


def random_move(w, rng: random.Random, case: Case) -> None:
    case.refresh_from_db()
    staff = w.staff_of(case)
    options = {
        "received": ["verify"],
        "verifying": ["rectify", "unfounded"],
        "rectifying": ["submit"],
        "returned": ["submit"],
        "submitted": ["accept", "return"],
        "accepted": ["reopen"],
        "unfounded": ["reopen"],
    }.get(case.status, [])
    if not options:
        return
    op = rng.choice(options)
    if op == "verify":
        cases.case_verify(actor=w.tf, case=case)
    elif op == "rectify":
        cases.case_start_rectification(
            actor=w.tf,
            case=case,
            target="t",
            measures="m",
            responsible="r",
            deadline=today() + dt.timedelta(days=9),
        )
    elif op == "unfounded":
        cases.case_mark_unfounded(actor=w.tf, case=case, reason="核查不属实")
    elif op == "submit":
        cases.case_submit(actor=staff, case=case, progress="已整改", attachments=[png()])
    elif op == "accept":
        cases.case_accept(actor=w.tf, case=case, note="合格")
    elif op == "return":
        cases.case_return(actor=w.tf, case=case, reason="未整改到位")
    elif op == "reopen":
        cases.case_reopen(
            actor=w.tf, case=case, reason="业主反映未修好", deadline=today() + dt.timedelta(days=9)
        )


def test_the_summary_equals_a_full_recount_after_a_random_mix_of_moves(world):
    w = world
    rng = random.Random(15)
    estates = [w.estate, w.estate2, w.other_estate]
    made = [w.case(estate=rng.choice(estates), category=rng.choice(["1.1", "3.1", "4"])) for _ in range(12)]
    # history: spread the cases over the last days (the ledger's own timestamps, as an import would give)
    for i, c in enumerate(made):
        Case.objects.filter(pk=c.pk).update(created_at=F("created_at") - dt.timedelta(days=(i % 4) * 12))
    for _ in range(40):
        random_move(w, rng, rng.choice(made))
    assert services.summary_refresh(actor=JOB, since=None) > 0
    assert summary() == recount()
    assert state_summary() == state_recount()
    assert_dashboard_figures_match_the_ledger()
    # more moves (closures, reopenings), one merge, then the tick's windowed refresh
    for _ in range(40):
        random_move(w, rng, rng.choice(made))
    open_ones = [c for c in Case.objects.filter(status="received")]
    if len(open_ones) >= 2:
        cases.case_merge_into_case(actor=w.tf, case=open_ones[0], target=open_ones[1])
    late = Case.objects.filter(status__in=["rectifying", "submitted", "returned"]).first()
    if late is not None:  # past its deadline: overdue now
        Case.objects.filter(pk=late.pk).update(deadline=today() - dt.timedelta(days=2))
    closed = Case.objects.filter(status__in=["accepted", "unfounded"]).first()
    if closed is not None:
        Case.objects.filter(pk=closed.pk).update(closed_at=F("closed_at") - dt.timedelta(days=2))
    services.summary_refresh(actor=JOB, since=today() - dt.timedelta(days=30))
    assert summary() == recount()
    assert state_summary() == state_recount()
    assert_dashboard_figures_match_the_ledger()
    assert services.summary_refresh(actor=JOB, since=today() - dt.timedelta(days=30)) == 0  # idempotent
    assert services.summary_refresh(actor=JOB, since=None) == 0


def test_the_public_totals_read_from_the_summary_match_the_ledger(world):
    w = world
    w.accepted()
    w.accepted(estate=w.estate2, category="3.1")
    w.case()
    services.summary_refresh(actor=JOB, since=None)
    totals = stats.summary_totals(CAMPAIGN_START, today() + dt.timedelta(days=1))
    assert totals.received == Case.objects.count() == 3
    assert totals.accepted == Case.objects.filter(status="accepted").count() == 2
    assert totals.by_town[w.town2.pk]["accepted"] == 1
    assert totals.by_category["1.1"]["received"] == 2


def test_the_tick_task_refreshes_and_a_second_run_changes_nothing(world):
    from wuye.oversight.tick import refresh_daily_summary

    w = world
    w.accepted()
    lines: list[str] = []
    refresh_daily_summary(out=lines.append, quiet=False)
    rows = list(DailySummary.objects.values_list("day", "estate_id", "category", "received", "accepted"))
    refresh_daily_summary(out=lines.append, quiet=False)
    assert rows == list(
        DailySummary.objects.values_list("day", "estate_id", "category", "received", "accepted")
    )
    assert lines[-1] == "每日统计：更新 0 行。"
