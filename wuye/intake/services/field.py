"""深入小区检查 and 调查问卷: the two field channels that record a visit or a resident's answers first."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from wuye.accounts.models import User
from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, actor_user, requires_actor
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_current_contract

from ..models import Channel, Inspection, QuestionnaireResponse
from ..photos import StoredFile
from ..ports import standard_clauses
from ..selectors import inspection_checklist
from ..selectors import questionnaire as questionnaire_def
from .creation import IDEM_RE, lead_attach, lead_create

# --- inspections and questionnaires ----------------------------------------------------------------------

INSPECTION_RESULTS = {"pass": "合格", "fail": "不合格", "na": "不适用"}


@requires_actor
@transaction.atomic
def inspection_submit(
    *,
    actor: Actor,
    estate: Estate,
    results: dict[str, dict[str, str]],
    photos: dict[str, list[StoredFile]] | None = None,
    checklist: str = "routine",
    notes: str = "",
) -> Inspection:
    """深入小区检查: record every item of the checklist; each failed item becomes a lead (with its photos)."""
    if not isinstance(actor, User):
        raise DomainError("请先登录：检查人须是专班成员", field="inspector")
    items = inspection_checklist(checklist)["items"]
    photos = photos or {}
    clean: dict[str, dict[str, str]] = {}
    for item in items:
        entry = results.get(item["code"]) or {}
        result = (entry.get("result") or "").strip()
        if result not in INSPECTION_RESULTS:
            raise DomainError(f"请选择“{item['text']}”的检查结果", field=f"result_{item['code']}")
        note = (entry.get("note") or "").strip()[:1000]
        if result == "fail" and not note and not photos.get(item["code"]):
            raise DomainError(f"“{item['text']}”不合格，请写明情况或拍照", field=f"note_{item['code']}")
        clean[item["code"]] = {"result": result, "note": note}
    unknown = set(results) - set(clean)
    if unknown:
        raise DomainError("检查项不在检查表中：" + "、".join(sorted(unknown)), field="results")
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
        # the clauses of the estate's own contract standard this item checks: the lead names what was promised
        clauses = standard_clauses(estate, item["code"])
        broken = "；".join(f"{c['item']}：{c['text']}" for c in clauses)
        lead = lead_create(
            actor=actor,
            channel=Channel.INSPECTION,
            estate=estate,
            category_hint=item["category"],
            text=f"【现场检查不合格】{item['text']}"
            + (f"：{note}" if note else "")
            + (f"（违反本小区合同服务标准：{broken}）" if broken else ""),
            source_ref=f"inspection:{inspection.pk}:{item['code']}",
            evidence={"inspection": inspection.pk, "item": item["code"], "checklist": checklist}
            | ({"clauses": clauses} if clauses else {}),
        ).lead
        lead_attach(actor=actor, lead=lead, files=photos.get(item["code"], []))
    audit_record(
        actor=actor,
        action="inspection.record",
        obj=inspection,
        after={"estate": estate.code, "failed": [i["code"] for i in failed]},
    )
    return inspection


@requires_actor
@transaction.atomic
def questionnaire_submit(
    *,
    actor: Actor,
    estate: Estate,
    answers: dict[str, Any],
    comment: str = "",
    problem: str = "",
    idem_key: str = "",
    questionnaire: str = "satisfaction",
) -> QuestionnaireResponse:
    """A resident's answers (1–5 per question); a problem written in it becomes a lead (channel questionnaire)."""
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
            raise DomainError(f"请为“{q['text']}”选择 1 到 5 分", field=f"q_{q['code']}") from None
        if not 1 <= value <= 5:
            raise DomainError(f"请为“{q['text']}”选择 1 到 5 分", field=f"q_{q['code']}")
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
                entered_by=actor_user(actor),
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
