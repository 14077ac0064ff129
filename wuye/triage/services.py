"""Writes of the triage app: suggestions at intake, and the staff decisions on the triage queue (§9).

Each decision is one transaction: the lead is locked, the ledger service does the lead/case change (and its own
audit entry), and the suggestion's outcome, any correction and a triage audit entry are written beside it.
"""

import dataclasses
import logging
from typing import Any

from django.db import transaction

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.cases import services as ledger
from wuye.cases.models import OPEN_STATES, Case
from wuye.cases.services.base import acting_user
from wuye.common.dates import now
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.jobs import jobs_mode
from wuye.intake import services as intake
from wuye.intake.models import Channel, Lead, LeadStatus
from wuye.kernel.actors import Actor, SystemActor, actor_role, actor_user, ensure_actor, requires_actor
from wuye.kernel.taxonomy import Category

from . import ml
from .models import Correction, Decision, Review, Suggestion

logger = logging.getLogger("wuye.triage")
# the model's suggestions and urgent marks are the system's, under the job's name
TRIAGE = SystemActor("triage")


# --- suggestions -------------------------------------------------------------------------------------------------


def _prediction_for(lead: Lead, prediction: ml.Prediction) -> ml.Prediction:
    if lead.channel == Channel.CHECK and lead.category:
        # An automatic check's finding already knows its category by rule; the model only adds urgency.
        return dataclasses.replace(
            prediction, category=lead.category, top3=[(lead.category, 1.0)], terms=["系统核查规则"]
        )
    return prediction


def _suggestion_row(lead: Lead, prediction: ml.Prediction, stamp: Any) -> Suggestion:
    return Suggestion(
        lead=lead,
        model_version=prediction.model_version,
        category=prediction.category,
        top3=[[c, p] for c, p in prediction.top3],
        urgent=prediction.urgent,
        urgent_probability=prediction.urgent_probability,
        urgent_reason=prediction.urgent_reason[:300],
        terms=prediction.terms,
        created_at=stamp,
    )


def _store_suggestion(lead_id: int, prediction: ml.Prediction, actor: Actor) -> Suggestion | None:
    """Under the lead's lock: the suggestion, and the urgent mark (audited) when the model says so."""
    ensure_actor(actor)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.status != LeadStatus.NEW or Suggestion.objects.filter(lead=lead).exists():
            return None
        suggestion = _suggestion_row(lead, prediction, now())
        suggestion.save(force_insert=True)
        if prediction.urgent and not lead.urgent:
            intake.leads_flag_urgent(
                actor=actor,
                leads=[lead],
                model_version=prediction.model_version,
                reasons=[prediction.urgent_reason],
            )
    return suggestion


@requires_actor
def suggestion_create(
    *, actor: Actor, lead_id: int, model: ml.TriageModel | None = None
) -> Suggestion | None:
    """Suggest category and urgency for a new lead; marks the lead urgent when the suggestion says so.

    Runs after the lead's transaction commits (intake hook) and in backfills; does nothing for a lead that
    already has a suggestion or is no longer new, or when no model is available (the lead is never lost).
    """
    lead = Lead.objects.filter(pk=lead_id).only("id", "text", "status", "channel", "category").first()
    if lead is None or lead.status != LeadStatus.NEW:
        return None
    try:
        model = model or ml.get_model()
    except ml.ModelUnavailable as exc:
        logger.warning("triage: no suggestion for lead %s: %s", lead_id, exc)
        return None
    prediction = _prediction_for(lead, model.predict(lead.text))  # outside the lock: no database needed
    return _store_suggestion(lead_id, prediction, actor)


@requires_actor
def suggestions_create_many(*, actor: Actor, lead_ids: list[int], model: ml.TriageModel | None = None) -> int:
    """`suggestion_create` for a batch of leads (a backfill, a batch of imported leads), with the same results: one model call for
    the batch and a few statements for all of it (lock the leads, skip those already suggested, one INSERT of the
    suggestions, one UPDATE and one chained audit write for the urgent ones) instead of ~9 per lead.
    All or nothing: if it fails, the worker runs `suggestion_create` lead by lead. Returns how many were made."""
    leads = list(
        Lead.objects.filter(pk__in=lead_ids, status=LeadStatus.NEW)
        .only("id", "text", "status", "channel", "category")
        .order_by("pk")
    )
    if not leads:
        return 0
    try:
        model = model or ml.get_model()
    except ml.ModelUnavailable as exc:
        logger.warning("triage: no suggestions for %s leads: %s", len(leads), exc)
        return 0
    predictions = {
        lead.pk: _prediction_for(lead, p)
        for lead, p in zip(leads, model.predict_batch([lead.text for lead in leads]), strict=True)
    }
    with transaction.atomic():
        locked = list(
            Lead.objects.select_for_update()
            .filter(pk__in=list(predictions), status=LeadStatus.NEW)
            .only("id", "urgent", "status")
            .order_by("pk")
        )
        have = set(
            Suggestion.objects.filter(lead_id__in=[lead.pk for lead in locked]).values_list(
                "lead_id", flat=True
            )
        )
        todo = [lead for lead in locked if lead.pk not in have]
        stamp = now()
        Suggestion.objects.bulk_create([_suggestion_row(lead, predictions[lead.pk], stamp) for lead in todo])
        flag = [lead for lead in todo if predictions[lead.pk].urgent and not lead.urgent]
        for version in sorted({predictions[lead.pk].model_version for lead in flag}):
            batch = [lead for lead in flag if predictions[lead.pk].model_version == version]
            intake.leads_flag_urgent(
                actor=actor,
                leads=batch,
                model_version=version,
                reasons=[predictions[lead.pk].urgent_reason for lead in batch],
            )
    return len(todo)


# how many waiting leads one job classifies together when a burst has left a backlog
HOOK_BATCH = 64


def on_lead_created(lead_id: int) -> None:
    """The intake hook: the triage job suggests for its new lead. In a worker, when a burst has left other new leads waiting
    for their suggestion, the job takes up to HOOK_BATCH of them with it in one model call and a few statements
    (`suggestions_create_many`); their own jobs then find the suggestion made and end at once. Both are safe
    to run twice and side by side (the leads are locked, a suggestion is made once)."""
    if jobs_mode() != "procrastinate":
        # inline (SQLite, tests, `make run`) the hook runs in the resident's request: never make them wait for
        # a backlog (the hourly backfill takes it)
        suggestion_create(actor=TRIAGE, lead_id=lead_id)
        return
    if Suggestion.objects.filter(lead_id=lead_id).exists():
        return  # an earlier job's batch took it
    waiting = list(
        Lead.objects.filter(status=LeadStatus.NEW, suggestion__isnull=True)
        .exclude(pk=lead_id)
        .order_by("pk")
        .values_list("pk", flat=True)[: HOOK_BATCH - 1]
    )
    if not waiting:
        suggestion_create(actor=TRIAGE, lead_id=lead_id)
        return
    try:
        with transaction.atomic():
            suggestions_create_many(actor=TRIAGE, lead_ids=[lead_id, *waiting])
    except Exception:  # noqa: BLE001 — the batch is a shortcut: this job's own lead still gets its suggestion
        logger.exception(
            "triage: batch of %s leads failed, suggesting for lead %s alone", len(waiting) + 1, lead_id
        )
        suggestion_create(actor=TRIAGE, lead_id=lead_id)


@requires_actor
def suggestions_backfill(*, actor: Actor, limit: int | None = None) -> int:
    """Suggestions for new leads that arrived while no model was available."""
    try:
        model = ml.get_model()
    except ml.ModelUnavailable as exc:
        logger.warning("triage backfill skipped: %s", exc)
        return 0
    ids = (
        Lead.objects.filter(status=LeadStatus.NEW, suggestion__isnull=True)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    if limit is not None:
        ids = ids[:limit]
    return sum(
        1 for lead_id in list(ids) if suggestion_create(actor=actor, lead_id=lead_id, model=model) is not None
    )


# --- decisions ---------------------------------------------------------------------------------------------------


def _check_actor(actor: Actor) -> None:
    if actor_role(actor) not in BUREAU_ROLES:
        raise NotAllowed("只有专班成员和专班办公室负责人可以分拣线索", field="role")


def _lock_new_lead(lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {locked.tracking_code} 已被处理（{locked.get_status_display()}），请刷新分拣台",
            field="lead",
        )
    return locked


def _record(*, actor: Actor, lead: Lead, decision: str, final_category: str) -> None:
    """The outcome on the suggestion, a correction when staff changed the category, and the audit entry."""
    ensure_actor(actor)
    suggestion = Suggestion.objects.select_for_update().filter(lead=lead).first()
    stamp = now()
    before: dict[str, Any] = {}
    if suggestion is not None:
        before = {"decision": suggestion.decision, "category": suggestion.category}
        suggestion.decision, suggestion.final_category = decision, final_category
        suggestion.decided_by, suggestion.decided_at = acting_user(actor, "分拣线索"), stamp
        suggestion.save(update_fields=["decision", "final_category", "decided_by", "decided_at"])
    suggested = suggestion.category if suggestion is not None else ""
    if final_category and final_category != suggested:
        Correction.objects.create(
            lead=lead,
            suggestion=suggestion,
            text=lead.text,
            suggested_category=suggested,
            category=final_category,
            urgent=lead.urgent,
            actor=acting_user(actor, "分拣线索"),
            created_at=stamp,
        )
    audit_record(
        actor=actor,
        action=f"triage.{decision}",
        obj=lead,
        before=before,
        after={"decision": decision, "final_category": final_category, "suggested": suggested},
    )


def _suggested_category(lead: Lead) -> str:
    suggestion = Suggestion.objects.filter(lead=lead).first()
    return suggestion.category if suggestion is not None else ""


@requires_actor
@transaction.atomic
def triage_accept(*, actor: Actor, lead: Lead) -> Case:
    """Open a case in the suggested category."""
    _check_actor(actor)
    lead = _lock_new_lead(lead)
    category = _suggested_category(lead)
    if not category:
        raise DomainError("该线索没有分拣建议，请选择类别后立案", field="category")
    if category == ml.NONE:
        raise DomainError(
            "建议为非物业服务事项，不能按建议立案：请选择不予立案、转办，或更正类别后立案", field="category"
        )
    case = ledger.case_create_from_lead(actor=actor, lead=lead, category=category)
    _record(actor=actor, lead=lead, decision=Decision.ACCEPTED, final_category=category)
    return case


@requires_actor
@transaction.atomic
def triage_correct(*, actor: Actor, lead: Lead, category: str) -> Case:
    """Open a case in the category staff chose; the correction becomes training data."""
    _check_actor(actor)
    if category not in Category.values:
        raise DomainError("请选择正确的问题类别（1.1 至 7）", field="category")
    lead = _lock_new_lead(lead)
    case = ledger.case_create_from_lead(actor=actor, lead=lead, category=category)
    suggested = _suggested_category(lead)
    decision = Decision.ACCEPTED if category == suggested else Decision.CORRECTED
    _record(actor=actor, lead=lead, decision=decision, final_category=category)
    return case


@requires_actor
@transaction.atomic
def triage_merge(*, actor: Actor, lead: Lead, case: Case) -> Case:
    """Join the lead to an open case of the same estate (one more report of the same problem)."""
    _check_actor(actor)
    case = Case.objects.select_for_update().get(pk=case.pk)  # cases before leads, as the ledger locks them
    if case.status not in OPEN_STATES:
        raise InvalidTransition(
            f"事项 {case.number} 当前为“{case.get_status_display()}”，不能再并入线索", field="case"
        )
    lead = _lock_new_lead(lead)
    ledger.lead_merge_into_case(actor=actor, lead=lead, case=case)
    case.refresh_from_db()
    _record(actor=actor, lead=lead, decision=Decision.MERGED, final_category=case.category)
    return case


@requires_actor
@transaction.atomic
def triage_reject(*, actor: Actor, lead: Lead, reason: str) -> None:
    """Not a property-service matter: the suggestion counts as right only if it said NONE."""
    _check_actor(actor)
    lead = _lock_new_lead(lead)
    intake.lead_reject(actor=actor, lead=lead, reason=reason)
    _record(actor=actor, lead=lead, decision=Decision.REJECTED, final_category=ml.NONE)


@requires_actor
@transaction.atomic
def triage_transfer(*, actor: Actor, lead: Lead, department: str, reason: str) -> None:
    """转办 to the department named."""
    _check_actor(actor)
    lead = _lock_new_lead(lead)
    intake.lead_transfer(actor=actor, lead=lead, department=department, reason=reason)
    _record(actor=actor, lead=lead, decision=Decision.TRANSFERRED, final_category=ml.NONE)


@requires_actor
@transaction.atomic
def triage_set_urgent(*, actor: Actor, lead: Lead, urgent: bool) -> Lead:
    """Staff override of the urgent flag; the queue order follows it."""
    _check_actor(actor)
    lead = _lock_new_lead(lead)
    if lead.urgent == urgent:
        return lead
    lead = intake.lead_mark_urgent(actor=actor, lead=lead, urgent=urgent)
    suggestion = Suggestion.objects.filter(lead=lead).first()
    if suggestion is not None and (
        suggestion.urgent != urgent or Correction.objects.filter(lead=lead).exists()
    ):
        # the model's urgency was wrong (or staff changed their mind): the latest correction of a lead is the one
        # `triage_train --include-corrections` learns from
        Correction.objects.create(
            lead=lead,
            suggestion=suggestion,
            text=lead.text,
            suggested_category=suggestion.category,
            category=suggestion.category,
            urgent=urgent,
            actor=acting_user(actor, "分拣线索"),
            created_at=now(),
        )
    return lead


# --- review of corrections (issue 14): the office head decides which corrections become training data ----------


@requires_actor
@transaction.atomic
def correction_review(*, actor: Actor, correction_id: int, approve: bool, note: str = "") -> Correction:
    """Approve (training data for `triage_train --include-corrections`) or reject a pending correction; audited."""
    if actor_role(actor) != Role.BUREAU_ADMIN:
        raise NotAllowed("只有专班办公室负责人可以审核分拣更正", field="角色")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError("不采用时请填写理由", field="审核意见")
    if len(note) > 200:
        raise DomainError("审核意见不能超过 200 字", field="审核意见")
    correction = Correction.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise DomainError("该更正不存在", field="更正")
    if correction.review != Review.PENDING:
        raise InvalidTransition(
            f"该更正已审核（{correction.get_review_display()}），请刷新页面", field="更正"
        )
    before = {"review": correction.review}
    correction.review = Review.APPROVED if approve else Review.REJECTED
    correction.reviewed_by, correction.reviewed_at, correction.review_note = actor_user(actor), now(), note
    correction.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        actor=actor,
        action=f"triage.correction_{correction.review}",
        obj=correction,
        before=before,
        after={"review": correction.review, "category": correction.category, "urgent": correction.urgent},
        reason=note,
    )
    return correction
