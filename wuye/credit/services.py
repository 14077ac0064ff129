"""Writes of the credit app: collecting events, rule versions, task-force records, objections and notices."""

import calendar
import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, actor_role, actor_user, requires_actor
from wuye.kernel.conf import county_setting
from wuye.notify.services import notify
from wuye.registry.models import Estate, PropertyCompany

from .models import (
    OBJECTION_DECISIONS,
    CreditEvent,
    CreditObjection,
    CreditRecord,
    CreditRuleVersion,
    EventStatus,
    Notice,
    NoticeSequence,
    NoticeStatus,
    ObjectionStatus,
)
from .rules import rule_in_force
from .sources import SOURCES, Fact, record_fact
from .types import EVENT_TYPES, LEVELS

RULE_ROLES = frozenset({Role.BUREAU_ADMIN})  # the office head edits the rules
TASK_FORCE_ROLES = BUREAU_ROLES  # records, reviews and notices


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_of(day: dt.date) -> dt.date:
    """The day a record stops counting: its date plus the record lifetime (CREDIT_RECORD_MONTHS)."""
    return add_months(day, int(county_setting("CREDIT_RECORD_MONTHS")))


def _require(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor_role(actor) not in roles:
        raise NotAllowed(f"您的角色不能{what}")


def _text(value: str | None, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}过长（最多 {max_len} 字）", field=field)
    return value


def _event_snap(e: CreditEvent) -> dict[str, Any]:
    return {
        "type": e.type,
        "source_key": e.source_key,
        "company": e.company_id,
        "estate": e.estate_id,
        "date": e.date.isoformat(),
        "expires": e.expires.isoformat(),
        "status": e.status,
        "points_override": e.points_override,
    }


# --- collecting ----------------------------------------------------------------------------------------------


@requires_actor
def _insert(*, actor: Actor, fact: Fact) -> CreditEvent | None:
    try:
        with transaction.atomic():  # a savepoint: a concurrent collector's row wins, ours is dropped
            event = CreditEvent.objects.create(
                type=fact.type,
                source_key=fact.key,
                company_id=fact.company_id,
                estate_id=fact.estate_id,
                date=fact.date,
                expires=expiry_of(fact.date),
                summary=fact.summary[:300],
                source_label=fact.source_label[:120],
                source_url=fact.source_url,
                details=fact.details,
                created_at=now(),
            )
    except IntegrityError:
        return None
    audit_record(actor=actor, action="credit.event_recorded", obj=event, after=_event_snap(event))
    known = EVENT_TYPES.get(event.type)
    if known is not None and not known.good:
        _tell_company(actor=actor, event=event)
    return event


@requires_actor
def _tell_company(*, actor: Actor, event: CreditEvent) -> None:
    """Bad information: the company's staff learn of it at once, since the objection window runs from now."""
    staff = User.objects.filter(
        role=Role.COMPANY_STAFF, company_id=event.company_id, is_active=True
    ).order_by("pk")
    for user in staff:
        notify(
            actor=actor,
            key=f"credit.event:{event.pk}:recorded:{user.pk}",
            event="credit_event_recorded",
            context={
                "company": event.company.name,
                "event": event.summary[:40],
                "deadline": objection_deadline(event).isoformat(),
            },
            user=user,
            link=reverse("credit:objection_new", args=[event.pk]),
        )


@requires_actor
@transaction.atomic
def credit_events_collect(*, actor: Actor, on: dt.date | None = None) -> list[CreditEvent]:
    """Run every source and record the facts not recorded yet. Idempotent: keyed by (type, source key)."""
    _require(actor, frozenset({"system", *TASK_FORCE_ROLES}), "汇集信用事件")
    day = on or today()
    seen = set(CreditEvent.objects.values_list("type", "source_key"))
    created = []
    for source in SOURCES.values():
        for fact in source(day):
            if (fact.type, fact.key) in seen:
                continue
            seen.add((fact.type, fact.key))
            event = _insert(actor=actor, fact=fact)
            if event is not None:
                created.append(event)
    return created


# --- rules -----------------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def credit_rule_version_create(
    *,
    actor: Actor,
    effective_from: dt.date | None,
    base_score: int | None,
    points: dict[str, int],
    bands: dict[str, int],
    veto_types: list[str],
    note: str,
) -> CreditRuleVersion:
    """A new dated version of the rules (the office head). It applies from its date on; never to the past, so a
    score already published as of an earlier date stays what it was."""
    _require(actor, RULE_ROLES, "修改信用评价规则")
    if not isinstance(effective_from, dt.date):
        raise DomainError("生效日期不能为空", field="effective_from")
    if effective_from < today():
        raise DomainError("生效日期不能早于今天：规则不溯及既往", field="effective_from")
    if base_score is None or not 0 <= int(base_score) <= 1000:
        raise DomainError("基础分须在 0 到 1000 之间", field="base_score")
    unknown = sorted(set(points) - set(EVENT_TYPES))
    if unknown:
        raise DomainError(f"未知的事件类型：{'、'.join(unknown)}", field="points")
    for code, value in points.items():
        if value is None or not -1000 <= int(value) <= 1000:
            raise DomainError(
                f"“{EVENT_TYPES[code].label}”的分值须在 -1000 到 1000 之间", field=f"points_{code}"
            )
    needed = LEVELS[:-1]
    for level in needed:
        if bands.get(level) is None:
            raise DomainError(f"{level} 级分数线不能为空", field=f"band_{level}")
    if not all(int(bands[a]) > int(bands[b]) for a, b in zip(needed, needed[1:], strict=False)):
        raise DomainError("分数线须逐级降低：AAA 高于 AA，AA 高于 A", field="band_AA")
    bad_veto = sorted(set(veto_types) - set(EVENT_TYPES))
    if bad_veto:
        raise DomainError(f"未知的否决事件类型：{'、'.join(bad_veto)}", field="veto_types")
    note = _text(note, field="note", label="修订说明", max_len=300)
    before = rule_in_force(effective_from)
    version = CreditRuleVersion.objects.create(
        effective_from=effective_from,
        base_score=int(base_score),
        points={code: int(points.get(code, before.points_of(code))) for code in EVENT_TYPES},
        bands={level: int(bands[level]) for level in needed},
        veto_types=sorted(set(veto_types)),
        note=note,
        created_by=actor_user(actor),
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="credit.rule_changed",
        obj=version,
        before={
            "base_score": before.base_score,
            "points": before.points,
            "bands": before.bands,
            "veto_types": sorted(before.veto_types),
        },
        after={
            "effective_from": effective_from.isoformat(),
            "base_score": version.base_score,
            "points": version.points,
            "bands": version.bands,
            "veto_types": version.veto_types,
        },
        reason=note,
    )
    return version


# --- task-force records ------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def credit_record_enter(
    *,
    actor: Actor,
    type: str,
    company: PropertyCompany | None,
    estate: Estate | None,
    date: dt.date | None,
    text: str,
    document_no: str = "",
) -> CreditRecord:
    """表彰 or a one-vote-veto fact (挪用维修资金或公共收益、拒不退出、重大安全事故), entered by the task force."""
    _require(actor, TASK_FORCE_ROLES, "录入信用信息")
    if type not in EVENT_TYPES or not EVENT_TYPES[type].manual:
        raise DomainError("请选择信用信息类型", field="type")
    if company is None:
        raise DomainError("请选择物业企业", field="company")
    if not isinstance(date, dt.date):
        raise DomainError("日期不能为空", field="date")
    if date > today():
        raise DomainError("日期不能晚于今天", field="date")
    record = CreditRecord.objects.create(
        type=type,
        company=company,
        estate=estate,
        date=date,
        text=_text(text, field="text", label="事实", max_len=300),
        document_no=_text(document_no, field="document_no", label="文号", max_len=100, required=False),
        created_by=actor_user(actor),
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="credit.record_entered",
        obj=record,
        after={"type": type, "company": company.pk, "date": date.isoformat(), "text": record.text},
    )
    # its event follows at once, this record's only (the daily collection would find it too: the key makes both
    # the same row); the other sources are not re-run inside the clerk's request
    _insert(actor=actor, fact=record_fact(record))
    return record


# --- objections ----------------------------------------------------------------------------------------------


def objection_deadline(event: CreditEvent) -> dt.date:
    return timezone.localtime(event.created_at).date() + dt.timedelta(
        days=int(county_setting("CREDIT_OBJECTION_DAYS"))
    )


@requires_actor
@transaction.atomic
def credit_objection_raise(
    *,
    actor: Actor,
    event: CreditEvent,
    reasons: str,
    evidence: "UploadedFile[bytes] | None" = None,
) -> CreditObjection:
    """The company objects to one of its events within CREDIT_OBJECTION_DAYS of its recording."""
    user = actor_user(actor)
    if user is None or user.role != Role.COMPANY_STAFF:
        raise NotAllowed("只有物业企业可以对本企业的信用记录提出异议")
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    if event.company_id != user.company_id:
        raise NotAllowed("只能对本企业的信用记录提出异议")
    if event.status == EventStatus.ANNULLED:
        raise InvalidTransition("该记录已撤销，无需提出异议", field="reasons")
    if today() > objection_deadline(event):
        raise DomainError(
            f"已超过异议期限（记录之日起 {county_setting('CREDIT_OBJECTION_DAYS')} 天）", field="reasons"
        )
    if event.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise InvalidTransition("该记录已有正在复核的异议", field="reasons")
    reasons = _text(reasons, field="reasons", label="异议理由", max_len=5000)
    objection = CreditObjection(event=event, reasons=reasons, raised_by=user, raised_at=now())
    if evidence is not None:
        checked = check_upload(evidence, field="evidence")
        objection.evidence.save(checked.name, ContentFile(checked.data), save=False)
    objection.save()
    audit_record(
        actor=actor,
        action="credit.objection_raised",
        obj=objection,
        after={"event": event.pk, "reasons": reasons, "evidence": objection.evidence.name or ""},
    )
    return objection


@requires_actor
@transaction.atomic
def credit_objection_decide(
    *,
    actor: Actor,
    objection: CreditObjection,
    outcome: str,
    reason: str,
    points: int | None = None,
) -> CreditObjection:
    """复核: uphold the event, amend its points, or annul it. The event and the objection keep their history."""
    _require(actor, TASK_FORCE_ROLES, "复核信用异议")
    if outcome not in OBJECTION_DECISIONS:
        raise DomainError("请选择复核结论", field="outcome")
    reason = _text(reason, field="reason", label="复核理由", max_len=5000)
    objection = CreditObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status == outcome:
        return objection
    if objection.status != ObjectionStatus.OPEN:
        raise InvalidTransition(f"该异议已复核（{objection.get_status_display()}）", field="outcome")
    event = CreditEvent.objects.select_for_update().get(pk=objection.event_id)
    current = event.points_override
    if current is None:
        current = rule_in_force(today()).points_of(event.type)
    before_event = _event_snap(event)
    if outcome == ObjectionStatus.AMENDED:
        if points is None:
            raise DomainError("变更分值时须填写变更后分值", field="points")
        event.status, event.points_override = EventStatus.AMENDED, int(points)
        event.save(update_fields=["status", "points_override"])
    elif outcome == ObjectionStatus.ANNULLED:
        event.status = EventStatus.ANNULLED
        event.save(update_fields=["status"])
    objection.status = outcome
    objection.decision_reason = reason
    objection.points_before = current
    objection.amended_points = (
        int(points) if outcome == ObjectionStatus.AMENDED and points is not None else None
    )
    objection.decided_by = actor_user(actor)
    objection.decided_at = now()
    objection.save(
        update_fields=[
            "status",
            "decision_reason",
            "points_before",
            "amended_points",
            "decided_by",
            "decided_at",
        ]
    )
    audit_record(
        actor=actor,
        action="credit.objection_decided",
        obj=objection,
        before={"status": ObjectionStatus.OPEN},
        after={"status": outcome, "points": objection.amended_points},
        reason=reason,
    )
    if outcome != ObjectionStatus.UPHELD:
        audit_record(
            actor=actor,
            action="credit.event_reviewed",
            obj=event,
            before=before_event,
            after=_event_snap(event),
        )
    notify(
        actor=actor,
        key=f"credit.objection:{objection.pk}:decided",
        event="credit_objection_decided",
        context={
            "company": event.company.name,
            "event": event.summary[:40],
            "outcome": ObjectionStatus(outcome).label,
        },
        user=objection.raised_by,
        link=reverse("credit:objections"),
    )
    return objection


# --- notices (通报) ------------------------------------------------------------------------------------------


def _items(items: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for item in items:
        text = str(item.get("text", "")).strip()
        if text:
            out.append(
                {"kind": str(item.get("kind", "")), "key": str(item.get("key", "")), "text": text[:500]}
            )
    return out


@requires_actor
@transaction.atomic
def notice_save(
    *,
    actor: Actor,
    notice: Notice | None = None,
    title: str,
    body: str,
    items: list[dict[str, str]],
) -> Notice:
    """Create or edit a draft notice (a published notice is never edited)."""
    _require(actor, TASK_FORCE_ROLES, "起草通报")
    title = _text(title, field="title", label="标题", max_len=120)
    body = _text(body, field="body", label="正文", max_len=20000)
    clean_items = _items(items)
    if notice is None:
        notice = Notice.objects.create(
            title=title, body=body, items=clean_items, created_by=actor_user(actor), created_at=now()
        )
        audit_record(actor=actor, action="credit.notice_drafted", obj=notice, after={"title": title})
        return notice
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.DRAFT:
        raise InvalidTransition("已发布的通报不能修改", field="title")
    before = {"title": notice.title, "body": notice.body, "items": notice.items}
    notice.title, notice.body, notice.items = title, body, clean_items
    notice.save(update_fields=["title", "body", "items"])
    audit_record(
        actor=actor,
        action="credit.notice_edited",
        obj=notice,
        before=before,
        after={"title": title, "body": body, "items": clean_items},
    )
    return notice


def notice_number(year: int, seq: int) -> str:
    return f"{county_setting('NOTICE_NUMBER_PREFIX')}〔{year}〕{seq}号"


@requires_actor
@transaction.atomic
def notice_publish(*, actor: Actor, notice: Notice) -> Notice:
    """Publish on the portal with the year's next number: the year's counter row is locked, so concurrent
    publications get consecutive numbers with no gap and no repeat."""
    _require(actor, TASK_FORCE_ROLES, "发布通报")
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == NoticeStatus.PUBLISHED:
        return notice
    year = today().year
    NoticeSequence.objects.bulk_create([NoticeSequence(year=year)], ignore_conflicts=True)
    counter = NoticeSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    notice.status = NoticeStatus.PUBLISHED
    notice.year, notice.seq = year, counter.last
    notice.number = notice_number(year, counter.last)
    notice.published_by = actor_user(actor)
    notice.published_at = now()
    notice.save(update_fields=["status", "year", "seq", "number", "published_by", "published_at"])
    audit_record(
        actor=actor,
        action="credit.notice_published",
        obj=notice,
        before={"status": NoticeStatus.DRAFT},
        after={"status": NoticeStatus.PUBLISHED, "number": notice.number},
    )
    return notice
