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
from wuye.kernel.actors import Actor, actor_user, requires_actor
from wuye.kernel.case_states import OPEN_STATES
from wuye.kernel.taxonomy import Category, label_of
from wuye.registry.models import County, Estate
from wuye.registry.selectors import bureau_county_id

from ..models import TRACKING_ALPHABET, Channel, Lead, LeadAttachment
from ..photos import StoredFile
from ..ports import CaseRef, case_side
from ..tasks import lead_created
from ._check import check_move


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class LeadResult:
    lead: Lead
    created: bool


def _lead_by_source_ref(source_ref: str) -> Lead | None:
    """The lead with this key (unique when set); unordered, so no ORDER BY on every submission."""
    return next(iter(Lead.objects.filter(source_ref=source_ref).order_by()[:1]), None)


@requires_actor
def lead_create(
    *,
    actor: Actor,
    channel: str,
    text: str,
    estate: Estate | None = None,
    source_ref: str = "",
    address: str = "",
    category_hint: str = "",
    category: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_email: str = "",
    anonymous: bool = False,
    evidence: dict[str, Any] | None = None,
    due_date: Any = None,
    estate_needs_confirmation: bool = False,
    created_at: Any = None,
    urgent: bool = False,
    county: County | None = None,
) -> LeadResult:
    """Create a lead, or return the existing one with the same `source_ref` (idempotent retries).

    A lead without an estate is held by `county` (the town the resident named), else by the county of the staff
    who enter it; with neither, by no county (every bureau's desk may place it)."""
    if channel not in Channel.values:
        raise DomainError("渠道不正确", field="channel")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写反映的问题", field="text")
    if len(text) > 5000:
        raise DomainError("反映内容过长（最多 5000 字）", field="text")
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
        county_id=None if estate is not None else (county.pk if county else bureau_county_id(actor)),
        estate_needs_confirmation=estate_needs_confirmation,
        address=address.strip(),
        text=text,
        category_hint=category_hint,
        category=category,
        complainant_name=complainant_name.strip(),
        complainant_phone=complainant_phone.strip(),
        complainant_email=complainant_email.strip(),
        anonymous=anonymous,
        source_ref=source_ref,
        evidence=evidence or {},
        due_date=due_date,
        urgent=urgent,
        created_by=actor_user(actor),
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        # the lead and its job (wuye.intake.hooks) commit together; inside a caller's transaction this is a
        # savepoint, so a duplicate key does not poison it
        with transaction.atomic():
            lead = Lead.objects.create(**values)
            lead_created(lead.pk)
    except IntegrityError:
        if source_ref:
            existing = _lead_by_source_ref(source_ref)
            if existing is not None:
                return LeadResult(existing, False)
        raise
    return LeadResult(lead, True)


@requires_actor
@transaction.atomic
def finding_open_or_update(
    *,
    actor: Actor,
    key: str,
    estate: Estate,
    category: str,
    text: str,
    evidence: dict[str, Any],
    urgent: bool = False,
) -> LeadResult:
    """An automatic check's finding: one lead per finding key, refreshed with the newest evidence.

    `urgent` marks a life-safety finding (an entrapment, a fire exit blocked): it goes first in the queue.

    Running a check twice opens no second lead; a finding whose lead was closed stays closed (the check's key
    should include the period when a new period deserves a new lead).
    """
    check_move(actor, "refresh_finding")
    existing = Lead.objects.select_for_update().filter(source_ref=key).first()
    if existing is not None:
        if existing.evidence != evidence or existing.text != text:
            before = {"text": existing.text, "evidence": existing.evidence}
            existing.text, existing.evidence, existing.updated_at = text, evidence, now()
            existing.save(update_fields=["text", "evidence", "updated_at"])
            audit_record(
                actor=actor,
                action="lead.finding_update",
                obj=existing,
                before=before,
                after={"text": text, "evidence": evidence},
            )
        return LeadResult(existing, False)
    result = lead_create(
        actor=actor,
        channel=Channel.CHECK,
        text=text,
        estate=estate,
        source_ref=key,
        category_hint=category,
        category=category,
        evidence=evidence,
        urgent=urgent,
    )
    if result.created:
        audit_record(
            actor=actor, action="lead.finding_open", obj=result.lead, after={"key": key, "category": category}
        )
    return result


# --- shared input checks -----------------------------------------------------------------------------------

PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
IDEM_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def clean_contact(*, name: str, phone: str, anonymous: bool) -> tuple[str, str]:
    name, phone = (name or "").strip(), (phone or "").strip()
    if anonymous:
        return "", ""
    if len(name) > 60:
        raise DomainError("姓名过长（最多 60 字）", field="name")
    if phone:
        phone = phone.translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
        if not PHONE_RE.match(phone):
            raise DomainError("请填写正确的联系电话号码（数字，可含区号）", field="phone")
    return name, phone


def clean_category_hint(code: str) -> str:
    code = (code or "").strip()
    if code and code not in Category.values:
        raise DomainError("问题类别不正确", field="category")
    return code


@requires_actor
def lead_attach(*, actor: Actor, lead: Lead, files: list[StoredFile]) -> list[LeadAttachment]:
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


@requires_actor
def qr_submit(
    *,
    actor: Actor,
    estate: Estate | None,
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
    county: County | None = None,
) -> LeadResult:
    """A resident's complaint from the estate's QR form (or the web form, where the estate may be unknown and
    `county` is the town's). The same idempotency key never makes a second lead."""
    name, phone = clean_contact(name=name, phone=phone, anonymous=anonymous)
    category_hint = clean_category_hint(category_hint)
    source_ref = ""
    if idem_key:
        if not IDEM_RE.match(idem_key):
            raise DomainError("表单已失效，请刷新页面后重新提交", field="idem")
        source_ref = f"{channel}:{idem_key}"

    def create() -> LeadResult:
        return lead_create(
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
            county=county,
        )

    if not photos:
        return create()  # no transaction needed around a single INSERT
    with transaction.atomic():  # the lead and its photos together, or neither
        result = create()
        if result.created:
            lead_attach(actor=actor, lead=result.lead, files=photos)
    return result


@requires_actor
def qr_join_case(
    *,
    actor: Actor,
    estate: Estate,
    case: CaseRef,
    text: str = "",
    category_hint: str = "",
    photos: list[StoredFile] | None = None,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    idem_key: str = "",
) -> LeadResult:
    """ "我也遇到这个问题": one more report of an open case of the same estate (a lead merged into it). The
    resident's own words and photos are kept on their report; only an empty text gets a neutral placeholder."""
    if case.estate_id != estate.pk or case.status not in OPEN_STATES:
        raise DomainError("该问题已办结或不属于本小区，请直接提交新问题", field="case")
    body = (text or "").strip() or f"我也遇到这个问题（{label_of(case.category)}）"
    with transaction.atomic():
        result = qr_submit(
            actor=actor,
            estate=estate,
            text=body,
            category_hint=category_hint or case.category,
            photos=photos,
            name=name,
            phone=phone,
            anonymous=anonymous,
            idem_key=idem_key,
            evidence={"joined_case": case.number},
        )
        if result.created:
            case_side().join(actor, result.lead, case)
            result.lead.refresh_from_db()
    return result


@requires_actor
def desk_create(
    *,
    actor: Actor,
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
        raise DomainError("请选择渠道", field="channel")
    if estate is None and not (address or "").strip():
        raise DomainError("请选择小区，或填写问题地址", field="estate")
    name, phone = clean_contact(name=name, phone=phone, anonymous=anonymous)
    if received_at is not None and received_at > now():
        raise DomainError("收到时间不能晚于现在", field="received_at")
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
        evidence={"entered_by": getattr(actor_user(actor), "username", "")},
    )


DESK_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.COLLECTION_STATION, Channel.QUESTIONNAIRE, Channel.WEB)
