"""Numbering and opening cases: by the task force directly, or from a lead (which intake then marks cased)."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.intake import services as intake
from wuye.intake.models import Channel, Lead, LeadStatus
from wuye.kernel.actors import Actor, actor_user, requires_actor
from wuye.kernel.conf import county_setting
from wuye.kernel.taxonomy import Category
from wuye.registry.models import County, Estate
from wuye.registry.selectors import bureau_acts_on_estate, estate_serving_company_id

from .. import notices, workflow
from ..models import Case, CaseSequence, CaseStatus
from .base import check_files, check_role, clean_text, record_event, save
from .locks import lock_rows


def _next_number(year: int, prefix: str) -> tuple[int, str]:
    """Lock the county's counter row for the year (creating it race-free) and take the next number. Gap-free: the
    counter and the case are written in the same transaction, so a rollback returns the number. Each county
    counts on its own (keyed by its prefix, County.case_prefix, unique), so its ledger reads ZP2026-00001,
    ZP2026-00002 … whatever the other counties do, and their creations never wait on one row."""
    counter = CaseSequence.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                CaseSequence.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; the lock below waits for it
        counter = CaseSequence.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{prefix}{year}-{counter.last:05d}"


def _case_prefix(estate: Estate) -> str:
    """The estate's county's prefix (CASE_NUMBER_PREFIX for a county without one)."""
    prefix = County.objects.filter(towns__estates=estate).values_list("case_prefix", flat=True).first()
    return prefix or county_setting("CASE_NUMBER_PREFIX")


def _current_company_id(estate: Estate) -> int | None:
    return estate_serving_company_id(estate.pk)


@requires_actor
@transaction.atomic
def case_create(
    *,
    actor: Actor,
    estate: Estate,
    category: str,
    description: str,
    source_channel: str = "",
    title: str = "",
    attachments: Sequence["UploadedFile[bytes]"] = (),
    urgent: bool = False,
) -> Case:
    """A new case; `urgent` (困人、燃气、消防…) gives it the urgent time limits (wuye.cases.timelimits). The company
    serving the estate hears of it (in-app and SMS) with the time it has to sign for it."""
    check_role(actor, None, workflow.CREATE_ROLES, "立案")
    if not isinstance(estate, Estate):
        raise DomainError("请选择小区", field="estate")
    if category not in Category.values:
        raise DomainError("请选择问题类别（1.1 至 7）", field="category")
    description = clean_text(description, field="description", label="问题描述")
    title = clean_text(title, field="title", label="标题", required=False, max_len=120)
    if source_channel and source_channel not in Channel.values:
        raise DomainError("问题来源不正确", field="source_channel")
    if not bureau_acts_on_estate(actor, estate.pk):
        raise NotAllowed("只能为本县（区）的小区立案", field="estate")
    files = check_files(attachments)
    year = today().year
    seq, number = _next_number(year, _case_prefix(estate))
    stamp = now()
    case = Case.objects.create(
        number=number,
        year=year,
        seq=seq,
        estate=estate,
        company_id=_current_company_id(estate),
        category=category,
        title=title or description[:40],
        description=description,
        source_channel=source_channel or "",
        status=CaseStatus.RECEIVED,
        urgent=bool(urgent),
        created_by=actor_user(actor),
        created_at=stamp,
        updated_at=stamp,
    )
    record_event(
        case=case,
        actor=actor,
        kind="create",
        title="立案受理（紧急事项）" if case.urgent else "立案受理",
        text=description,
        public=True,
        public_text=f"已受理并登记为整治台账事项（{Category(category).label}）。",
        from_status="-",
        files=files,
        data={"number": number, "company": case.company_id, "tier": case.tier},
    )
    notices.tell_company_new_case(actor=actor, case=case)
    return case


@requires_actor
@transaction.atomic
def case_create_from_lead(*, actor: Actor, lead: Lead, category: str, description: str | None = None) -> Case:
    """Open a case from a new lead; intake marks the lead cased (its own move, audited)."""
    check_role(actor, None, workflow.CREATE_ROLES, "立案")
    lead = lock_rows(leads=[lead.pk])[1][lead.pk]
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能再立案", field="lead"
        )
    if lead.estate is None:
        raise DomainError("线索尚未确定小区，请先确认小区再立案", field="estate")
    case = case_create(
        actor=actor,
        estate=lead.estate,
        category=category,
        description=description if description is not None else lead.text,
        source_channel=lead.channel,
        urgent=lead.urgent,
    )
    intake.lead_open_case(actor=actor, lead=lead, case=case, category=category)
    case.report_count = 1
    save(case, "report_count")
    return case
