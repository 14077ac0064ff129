"""Creating leads. Every channel ends in `lead_create`; automatic checks use `finding_open_or_update`."""

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.registry.models import Estate

from .hooks import run_on_lead_created
from .models import Channel, Inspection, Lead, LeadAttachment, LeadFeedback, LeadStatus, QuestionnaireResponse
from .photos import StoredFile

# No 0/O/1/I/L: residents read these codes aloud over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class LeadResult:
    lead: Lead
    created: bool


def _lead_by_source_ref(source_ref: str) -> Lead | None:
    """The lead with this key (unique when set); unordered, so no ORDER BY on every submission."""
    return next(iter(Lead.objects.filter(source_ref=source_ref).order_by()[:1]), None)


def lead_create(
    *,
    actor: Any,
    channel: str,
    text: str,
    estate: Estate | None = None,
    source_ref: str = "",
    address: str = "",
    category_hint: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_email: str = "",
    anonymous: bool = False,
    evidence: dict[str, Any] | None = None,
    due_date: Any = None,
    estate_needs_confirmation: bool = False,
    created_at: Any = None,
) -> LeadResult:
    """Create a lead, or return the existing one with the same `source_ref` (idempotent retries)."""
    if channel not in Channel.values:
        raise DomainError("渠道不正确", field="渠道")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写反映的问题", field="反映内容")
    if len(text) > 5000:
        raise DomainError("内容过长（最多 5000 字）", field="反映内容")
    in_transaction = transaction.get_connection().in_atomic_block
    if source_ref and in_transaction:
        # inside a caller's transaction (an import file, a check) look first: cheaper than a failed INSERT
        existing = _lead_by_source_ref(source_ref)
        if existing is not None:
            return LeadResult(existing, False)
    if anonymous:
        complainant_name, complainant_phone, complainant_email = "", "", ""
    stamp = created_at or now()
    values = dict(
        tracking_code=new_tracking_code(),
        channel=channel,
        estate=estate,
        estate_needs_confirmation=estate_needs_confirmation,
        address=address.strip(),
        text=text,
        category_hint=category_hint,
        complainant_name=complainant_name.strip(),
        complainant_phone=complainant_phone.strip(),
        complainant_email=complainant_email.strip(),
        anonymous=anonymous,
        source_ref=source_ref,
        evidence=evidence or {},
        due_date=due_date,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        if in_transaction:
            with (
                transaction.atomic()
            ):  # a savepoint: a duplicate key must not poison the caller's transaction
                lead = Lead.objects.create(**values)
        else:
            # the resident's path (QR form, Open311): one INSERT is atomic by itself; a retried key fails it
            lead = Lead.objects.create(**values)
        transaction.on_commit(lambda: run_on_lead_created(lead.pk))
    except IntegrityError:
        if source_ref:
            existing = _lead_by_source_ref(source_ref)
            if existing is not None:
                return LeadResult(existing, False)
        raise
    return LeadResult(lead, True)


@transaction.atomic
def finding_open_or_update(
    *, key: str, estate: Estate, category: str, text: str, evidence: dict[str, Any]
) -> LeadResult:
    """An automatic check's finding: one lead per finding key, refreshed with the newest evidence.

    Running a check twice opens no second lead; a finding whose lead was closed stays closed (the check's key
    should include the period when a new period deserves a new lead).
    """
    existing = Lead.objects.select_for_update().filter(source_ref=key).first()
    if existing is not None:
        if existing.evidence != evidence or existing.text != text:
            before = {"text": existing.text, "evidence": existing.evidence}
            existing.text, existing.evidence, existing.updated_at = text, evidence, now()
            existing.save(update_fields=["text", "evidence", "updated_at"])
            audit_record(
                actor=None,
                action="lead.finding_update",
                obj=existing,
                before=before,
                after={"text": text, "evidence": evidence},
            )
        return LeadResult(existing, False)
    result = lead_create(
        actor=None,
        channel=Channel.CHECK,
        text=text,
        estate=estate,
        source_ref=key,
        category_hint=category,
        evidence=evidence,
    )
    lead = result.lead
    lead.category = category
    lead.save(update_fields=["category"])
    audit_record(actor=None, action="lead.finding_open", obj=lead, after={"key": key, "category": category})
    return result


# --- shared input checks -----------------------------------------------------------------------------------

PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
IDEM_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def clean_contact(*, name: str, phone: str, anonymous: bool) -> tuple[str, str]:
    name, phone = (name or "").strip(), (phone or "").strip()
    if anonymous:
        return "", ""
    if len(name) > 60:
        raise DomainError("姓名过长（最多 60 字）", field="姓名")
    if phone:
        phone = phone.translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
        if not PHONE_RE.match(phone):
            raise DomainError("请填写正确的电话号码（数字，可含区号）", field="联系电话")
    return name, phone


def clean_category_hint(code: str) -> str:
    from wuye.cases.taxonomy import Category

    code = (code or "").strip()
    if code and code not in Category.values:
        raise DomainError("问题类别不正确", field="问题类别")
    return code


def lead_attach(*, lead: Lead, files: list[StoredFile]) -> list[LeadAttachment]:
    """Store checked files on a lead; call inside the lead's transaction."""
    made = []
    for f in files:
        att = LeadAttachment(
            lead=lead, original_name=f.name[:200], content_type=f.content_type, size=len(f.data)
        )
        att.file.save(f.name, ContentFile(f.data), save=False)
        att.save()
        made.append(att)
    return made


# --- 扫码即办 ---------------------------------------------------------------------------------------------


def qr_submit(
    *,
    actor: Any,
    estate: Estate,
    text: str,
    category_hint: str = "",
    photos: list[StoredFile] | None = None,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    idem_key: str = "",
    channel: str = Channel.QR,
    evidence: dict[str, Any] | None = None,
    address: str = "",
    email: str = "",
    estate_needs_confirmation: bool = False,
) -> LeadResult:
    """A resident's complaint from the estate's QR form. The same idempotency key never makes a second lead."""
    name, phone = clean_contact(name=name, phone=phone, anonymous=anonymous)
    category_hint = clean_category_hint(category_hint)
    source_ref = ""
    if idem_key:
        if not IDEM_RE.match(idem_key):
            raise DomainError("表单已失效，请刷新页面后重新提交", field="表单")
        source_ref = f"{channel}:{idem_key}"
    fields = dict(
        actor=actor,
        channel=channel,
        text=text,
        estate=estate,
        source_ref=source_ref,
        category_hint=category_hint,
        complainant_name=name,
        complainant_phone=phone,
        anonymous=anonymous,
        evidence=evidence,
        address=address,
        complainant_email=email,
        estate_needs_confirmation=estate_needs_confirmation,
    )
    if not photos:
        return lead_create(**fields)  # no transaction needed around a single INSERT
    with transaction.atomic():  # the lead and its photos together, or neither
        result = lead_create(**fields)
        if result.created:
            lead_attach(lead=result.lead, files=photos)
    return result


def qr_join_case(
    *,
    actor: Any,
    estate: Estate,
    case: Any,
    text: str = "",
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    idem_key: str = "",
) -> LeadResult:
    """ "我也遇到这个问题": one more report of an open case of the same estate (a lead merged into it)."""
    from wuye.cases.models import OPEN_STATES
    from wuye.cases.services import lead_merge_into_case

    if case.estate_id != estate.pk or case.status not in OPEN_STATES:
        raise DomainError("该问题已办结或不属于本小区，请直接提交新问题", field="台账事项")
    body = (text or "").strip() or f"我也遇到这个问题：{case.title or case.description[:60]}"
    with transaction.atomic():
        result = qr_submit(
            actor=actor,
            estate=estate,
            text=body,
            category_hint=case.category,
            name=name,
            phone=phone,
            anonymous=anonymous,
            idem_key=idem_key,
            evidence={"joined_case": case.number},
        )
        if result.created:
            lead_merge_into_case(actor=None, lead=result.lead, case=case)
            result.lead.refresh_from_db()
    return result


# --- tracking and 回访 -------------------------------------------------------------------------------------


def effective_case(lead: Lead) -> Any:
    """The case a lead's progress follows: its own, or the case that one was merged into."""
    case = lead.case if lead.case_id else None
    for _ in range(5):
        target = getattr(case, "merged_into", None) if case is not None else None
        if target is None:
            break
        case = target
    return case


def lead_is_closed(lead: Lead) -> bool:
    """Closed for the complainant: the case is closed (销号 or unfounded), or the lead was rejected/transferred."""
    from wuye.cases.models import CLOSED_STATES

    if lead.status in (LeadStatus.REJECTED, LeadStatus.TRANSFERRED):
        return True
    case = effective_case(lead)
    return case is not None and case.status in CLOSED_STATES


def _feedback_for_update(lead: Lead) -> tuple[Lead, LeadFeedback | None]:
    locked = Lead.objects.select_for_update(of=("self",)).select_related("case").get(pk=lead.pk)
    return locked, LeadFeedback.objects.filter(lead=locked).first()


@transaction.atomic
def feedback_rate(*, actor: Any, lead: Lead, rating: Any, comment: str = "") -> LeadFeedback:
    """回访满意度 1–5 with a comment, once per lead, after closure."""
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        raise DomainError("请选择 1 到 5 分", field="满意度") from None
    if not 1 <= value <= 5:
        raise DomainError("请选择 1 到 5 分", field="满意度")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("评价过长（最多 1000 字）", field="评价")
    lead, fb = _feedback_for_update(lead)
    if not lead_is_closed(lead):
        raise DomainError("问题办结后才能评价", field="满意度")
    if fb is not None and fb.rating is not None:
        raise DomainError("您已评价过，感谢您的反馈", field="满意度")
    stamp = now()
    if fb is None:
        fb = LeadFeedback.objects.create(
            lead=lead, rating=value, comment=comment, created_at=stamp, updated_at=stamp
        )
    else:
        fb.rating, fb.updated_at = value, stamp
        fb.comment = "\n".join(x for x in (fb.comment, comment) if x)
        fb.save(update_fields=["rating", "comment", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.feedback_rate",
        obj=fb,
        after={"lead": lead.tracking_code, "rating": value, "comment": comment},
    )
    return fb


@transaction.atomic
def feedback_not_fixed(*, actor: Any, lead: Lead, comment: str = "") -> LeadFeedback:
    """ "问题没有解决": a new lead for the task force, linked to the closed case; the case itself is not reopened
    here (the task force decides, via case_reopen)."""
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("说明过长（最多 1000 字）", field="说明")
    lead, fb = _feedback_for_update(lead)
    if not lead_is_closed(lead):
        raise DomainError("问题还在办理中，办结后才能反映“没有解决”", field="说明")
    if fb is not None and fb.not_fixed:
        return fb
    evidence: dict[str, Any] = {"reopen_of_lead": lead.tracking_code}
    case = effective_case(lead)
    if case is not None:
        evidence["reopen_of"] = case.number
    subject = f"台账事项 {case.number}" if case is not None else f"线索 {lead.tracking_code}"
    text = (
        f"群众反映问题没有解决（{subject} 已办结）。"
        + (f"群众说明：{comment}" if comment else "")
        + f"\n原反映内容：{lead.text[:500]}"
    )
    followup = lead_create(
        actor=actor,
        channel=lead.channel,
        text=text,
        estate=lead.estate,
        source_ref=f"reopen:{lead.tracking_code}",
        category_hint=lead.category or lead.category_hint,
        complainant_name=lead.complainant_name,
        complainant_phone=lead.complainant_phone,
        anonymous=lead.anonymous,
        evidence=evidence,
    ).lead
    stamp = now()
    if fb is None:
        fb = LeadFeedback.objects.create(
            lead=lead,
            not_fixed=True,
            comment=comment,
            followup_lead=followup,
            created_at=stamp,
            updated_at=stamp,
        )
    else:
        fb.not_fixed, fb.followup_lead, fb.updated_at = True, followup, stamp
        fb.comment = "\n".join(x for x in (fb.comment, comment) if x)
        fb.save(update_fields=["not_fixed", "followup_lead", "comment", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.not_fixed",
        obj=fb,
        after={"lead": lead.tracking_code, "followup": followup.tracking_code, **evidence},
    )
    return fb


# --- staff actions on leads ------------------------------------------------------------------------------


@transaction.atomic
def lead_estate_assign(*, actor: Any, lead: Lead, estate: Estate) -> Lead:
    """Staff confirm or assign the estate of a lead whose address matched fuzzily or not at all."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.estate_id == estate.pk and not lead.estate_needs_confirmation:
        return lead
    before = {"estate": lead.estate_id, "estate_needs_confirmation": lead.estate_needs_confirmation}
    lead.estate, lead.estate_needs_confirmation, lead.updated_at = estate, False, now()
    lead.save(update_fields=["estate", "estate_needs_confirmation", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.estate_assign",
        obj=lead,
        before=before,
        after={"estate": estate.pk, "estate_needs_confirmation": False},
    )
    return lead


def desk_create(
    *,
    actor: Any,
    channel: str,
    text: str,
    estate: Estate | None,
    address: str = "",
    category_hint: str = "",
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    received_at: Any = None,
    idem_key: str = "",
) -> LeadResult:
    """Staff enter a lead taken by phone, e-mail, at a collection station or from a paper questionnaire."""
    if channel not in DESK_CHANNELS:
        raise DomainError("请选择渠道", field="渠道")
    if estate is None and not (address or "").strip():
        raise DomainError("请选择小区，或填写问题地址", field="小区")
    name, phone = clean_contact(name=name, phone=phone, anonymous=anonymous)
    if received_at is not None and received_at > now():
        raise DomainError("收到时间不能晚于现在", field="收到时间")
    source_ref = f"desk:{idem_key}" if idem_key and IDEM_RE.match(idem_key) else ""
    return lead_create(
        actor=actor,
        channel=channel,
        text=text,
        estate=estate,
        address=address,
        source_ref=source_ref,
        category_hint=clean_category_hint(category_hint),
        complainant_name=name,
        complainant_phone=phone,
        anonymous=anonymous,
        estate_needs_confirmation=estate is None,
        created_at=received_at,
        evidence={"entered_by": getattr(actor, "username", "")},
    )


DESK_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.COLLECTION_STATION, Channel.QUESTIONNAIRE, Channel.WEB)


# --- inspections and questionnaires ----------------------------------------------------------------------

INSPECTION_RESULTS = {"pass": "合格", "fail": "不合格", "na": "不适用"}


@transaction.atomic
def inspection_submit(
    *,
    actor: Any,
    estate: Estate,
    results: dict[str, dict[str, str]],
    photos: dict[str, list[StoredFile]] | None = None,
    checklist: str = "routine",
    notes: str = "",
) -> Inspection:
    """深入小区检查: record every item of the checklist; each failed item becomes a lead (with its photos)."""
    from .selectors import inspection_checklist

    if not getattr(actor, "pk", None):
        raise DomainError("请先登录", field="检查人")
    items = inspection_checklist(checklist)["items"]
    photos = photos or {}
    clean: dict[str, dict[str, str]] = {}
    for item in items:
        entry = results.get(item["code"]) or {}
        result = (entry.get("result") or "").strip()
        if result not in INSPECTION_RESULTS:
            raise DomainError(f"请选择“{item['text']}”的检查结果", field="检查结果")
        note = (entry.get("note") or "").strip()[:1000]
        if result == "fail" and not note and not photos.get(item["code"]):
            raise DomainError(f"“{item['text']}”不合格，请写明情况或拍照", field="检查结果")
        clean[item["code"]] = {"result": result, "note": note}
    unknown = set(results) - set(clean)
    if unknown:
        raise DomainError("检查项不在检查表中：" + "、".join(sorted(unknown)), field="检查结果")
    stamp = now()
    failed = [i for i in items if clean[i["code"]]["result"] == "fail"]
    inspection = Inspection.objects.create(
        estate=estate,
        checklist=checklist,
        results=clean,
        failed_count=len(failed),
        notes=(notes or "").strip()[:2000],
        inspector=actor,
        created_at=stamp,
    )
    for item in failed:
        note = clean[item["code"]]["note"]
        lead = lead_create(
            actor=actor,
            channel=Channel.INSPECTION,
            estate=estate,
            category_hint=item["category"],
            text=f"【现场检查不合格】{item['text']}" + (f"：{note}" if note else ""),
            source_ref=f"inspection:{inspection.pk}:{item['code']}",
            evidence={"inspection": inspection.pk, "item": item["code"], "checklist": checklist},
        ).lead
        lead_attach(lead=lead, files=photos.get(item["code"], []))
    audit_record(
        actor=actor,
        action="inspection.record",
        obj=inspection,
        after={"estate": estate.code, "failed": [i["code"] for i in failed]},
    )
    return inspection


@transaction.atomic
def questionnaire_submit(
    *,
    actor: Any,
    estate: Estate,
    answers: dict[str, Any],
    comment: str = "",
    problem: str = "",
    idem_key: str = "",
    questionnaire: str = "satisfaction",
) -> QuestionnaireResponse:
    """A resident's answers (1–5 per question); a problem written in it becomes a lead (channel questionnaire)."""
    from decimal import Decimal

    from wuye.registry.selectors import estate_current_contract

    from .selectors import questionnaire as questionnaire_def

    questions = questionnaire_def(questionnaire)["questions"]
    source_ref = f"questionnaire:{idem_key}" if idem_key and IDEM_RE.match(idem_key) else ""
    if source_ref:
        existing = QuestionnaireResponse.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return existing
    clean: dict[str, int] = {}
    for q in questions:
        raw = answers.get(q["code"])
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise DomainError(f"请为“{q['text']}”选择 1 到 5 分", field="评分") from None
        if not 1 <= value <= 5:
            raise DomainError(f"请为“{q['text']}”选择 1 到 5 分", field="评分")
        clean[q["code"]] = value
    comment, problem = (comment or "").strip()[:2000], (problem or "").strip()
    contract = estate_current_contract(estate)
    score = (Decimal(sum(clean.values())) / len(clean)).quantize(Decimal("0.01"))
    lead = None
    if problem:
        lead = lead_create(
            actor=actor,
            channel=Channel.QUESTIONNAIRE,
            text=problem,
            estate=estate,
            source_ref=f"{source_ref}:lead" if source_ref else "",
            evidence={"questionnaire": questionnaire},
        ).lead
    try:
        with transaction.atomic():  # a savepoint: a concurrent retry with the same key loses the INSERT race
            response = QuestionnaireResponse.objects.create(
                estate=estate,
                company=contract.company if contract else None,
                questionnaire=questionnaire,
                answers=clean,
                score=score,
                comment=comment,
                lead=lead,
                source_ref=source_ref,
                entered_by=actor if getattr(actor, "pk", None) else None,
                created_at=now(),
            )
    except IntegrityError:
        existing = QuestionnaireResponse.objects.filter(source_ref=source_ref).first() if source_ref else None
        if existing is None:
            raise
        return existing
    audit_record(
        actor=actor,
        action="questionnaire.answer",
        obj=response,
        after={"estate": estate.code, "score": str(score), "lead": lead.tracking_code if lead else ""},
    )
    return response
