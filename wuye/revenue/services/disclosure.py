"""Disclosures (公示), owners' objections and reviewers' comments."""

import datetime as dt

from django.db import transaction

from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, requires_actor
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_county

from .. import selectors
from ..models import (
    Disclosure,
    Entry,
    Objection,
    ObjectionStatus,
    ReviewComment,
)
from ..periods import period_from_key
from .base import _is_bureau, _is_committee_of, _require_company, _text
from .ledger import _lock_account

# --- disclosures, objections, comments ----------------------------------------------------------------------


@requires_actor
@transaction.atomic
def disclosure_publish(*, actor: Actor, estate: Estate, period_key: str, note: str = "") -> Disclosure:
    """Publish the statement of an ended period. Publishing twice returns the first publication."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    _require_company(user, estate)
    period = period_from_key(period_key)
    account = _lock_account(estate)
    existing = Disclosure.objects.filter(account=account, period_key=period.key).first()
    if existing is not None:
        return existing
    if period.end >= today():
        raise DomainError(f"公示期间：{period.label}尚未结束，期满后才能公示", field="period_key")
    if period.end < account.opened_on:
        raise DomainError("公示期间：该期间早于账户开户日期", field="period_key")
    st = selectors.statement(account, period, with_vouchers=False)
    disclosure = Disclosure.objects.create(
        account=account,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        opening_balance=st.opening,
        income_total=st.income_total,
        outgo_total=st.outgo_total,
        closing_balance=st.closing,
        line_count=len(st.lines),
        digest=st.digest,
        note=_text(note, field="note", label="公示说明", max_len=500, required=False),
        published_at=now(),
        published_by=user,
        objection_until=today()
        + dt.timedelta(days=county_setting("DISCLOSURE_OBJECTION_DAYS", estate_county(estate))),
    )
    audit_record(
        actor=user,
        action="revenue.disclosure_publish",
        obj=disclosure,
        after=snapshot(
            disclosure,
            (
                "account",
                "period_key",
                "opening_balance",
                "income_total",
                "outgo_total",
                "closing_balance",
                "line_count",
                "digest",
                "objection_until",
            ),
        ),
    )
    return disclosure


@requires_actor
@transaction.atomic
def objection_raise(*, actor: Actor, disclosure: Disclosure, entry: Entry, text: str) -> Objection:
    """An owner of the estate questions one line within the objection period."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    estate = disclosure.account.estate
    if not selectors.owner_units_in(user, estate):
        raise NotAllowed("只有本小区业主可以对公示提出异议")
    if today() > disclosure.objection_until:
        raise DomainError(f"异议期已于 {disclosure.objection_until:%Y-%m-%d} 结束", field="objection")
    if entry.account_id != disclosure.account_id or not (
        disclosure.period_start <= entry.occurred_on <= disclosure.period_end
    ):
        raise DomainError("该明细不在本期公示中", field="entry")
    text = _text(text, field="text", label="异议内容", max_len=2000)
    Disclosure.objects.select_for_update().get(
        pk=disclosure.pk
    )  # a double submit waits, then finds the first
    existing = Objection.objects.filter(disclosure=disclosure, entry=entry, raised_by=user, text=text).first()
    if existing is not None:
        return existing
    objection = Objection.objects.create(
        disclosure=disclosure,
        entry=entry,
        raised_by=user,
        text=text,
        raised_at=now(),
        answer_due=today()
        + dt.timedelta(days=county_setting("OBJECTION_ANSWER_DAYS", estate_county(estate))),
    )
    audit_record(
        actor=user,
        action="revenue.objection_raise",
        obj=objection,
        after=snapshot(objection, ("disclosure", "entry", "text", "answer_due")),
    )
    return objection


@requires_actor
@transaction.atomic
def objection_answer(*, actor: Actor, objection: Objection, answer: str) -> Objection:
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    objection = (
        Objection.objects.select_for_update().select_related("disclosure__account").get(pk=objection.pk)
    )
    estate = Estate.objects.get(pk=objection.disclosure.account.estate_id)
    _require_company(user, estate)
    answer = _text(answer, field="answer", label="答复", max_len=2000)
    if objection.status == ObjectionStatus.ANSWERED:
        if objection.answer == answer:
            return objection
        raise InvalidTransition("该异议已答复，答复不能修改", field="answer")
    before = snapshot(objection, ("status", "answer"))
    objection.status, objection.answer = ObjectionStatus.ANSWERED, answer
    objection.answered_by, objection.answered_at = user, now()
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=user,
        action="revenue.objection_answer",
        obj=objection,
        before=before,
        after={**snapshot(objection, ("status", "answer")), "late": today() > objection.answer_due},
    )
    return objection


@requires_actor
@transaction.atomic
def comment_add(*, actor: Actor, disclosure: Disclosure, text: str) -> ReviewComment:
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    estate = disclosure.account.estate
    if not (_is_committee_of(user, estate) or _is_bureau(user, estate)):
        raise NotAllowed("只有该小区业委会/物管会或专班可以填写审阅意见")
    comment = ReviewComment.objects.create(
        disclosure=disclosure,
        author=user,
        text=_text(text, field="text", label="审阅意见", max_len=2000),
        created_at=now(),
    )
    audit_record(
        actor=user,
        action="revenue.disclosure_comment",
        obj=comment,
        after=snapshot(comment, ("disclosure", "text")),
    )
    return comment
