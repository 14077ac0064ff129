"""The triage queue (线索分拣台): new leads of every channel, urgent first, with suggestions and one-click actions."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.cases.models import Case
from wuye.cases.selectors import cases_visible_to
from wuye.common.errors import DomainError
from wuye.intake.selectors import photos_by_lead
from wuye.kernel.http import AuthedHttpRequest
from wuye.kernel.taxonomy import Category, label_of

from . import ml, selectors, services
from .departments import suggest_department
from .duplicates import open_case_candidates, similar_open_cases
from .models import Review

PAGE_SIZE = 20


def _case_url(case: Case) -> str | None:
    try:
        return reverse("cases:detail", args=[case.number])
    except NoReverseMatch:
        return None


def _confident_threshold() -> float:
    """Above this top-1 probability the queue shows a percentage (chosen on out-of-fold data at training);
    without a usable model every suggestion counts as uncertain."""
    try:
        return ml.get_model().confident_threshold
    except ml.ModelUnavailable:
        return 1.01


def _row(lead: Any, candidates: dict[int, list[Case]], threshold: float = 1.01) -> dict[str, Any]:
    suggestion = getattr(lead, "suggestion", None)
    category = suggestion.category if suggestion else None
    duplicates = []
    if lead.estate_id:
        for case, score in similar_open_cases(
            estate=lead.estate,
            text=lead.text,
            category=category if category != ml.NONE else None,
            candidates=candidates.get(lead.estate_id, []),
        ):
            duplicates.append(
                {
                    "case": case,
                    "score": score,
                    "url": _case_url(case),
                    "category_label": label_of(case.category),
                }
            )
    top3 = []
    confidence = ml.UNCERTAIN
    if suggestion:
        top3 = [
            {"code": c, "label": label_of(c) if c != ml.NONE else "非物业服务事项", "pct": round(p * 100)}
            for c, p in suggestion.top3
        ]
        if suggestion.top3 and float(suggestion.top3[0][1]) >= threshold:
            confidence = f"{round(float(suggestion.top3[0][1]) * 100)}%"
    return {
        "lead": lead,
        "suggestion": suggestion,
        "top3": top3,
        "confidence": confidence,
        "confident": confidence != ml.UNCERTAIN,
        "department": suggest_department(lead.text) if category == ml.NONE else "",
        "duplicates": duplicates,
        "suggested_label": (
            label_of(category)
            if category and category != ml.NONE
            else ("非物业服务事项（建议不予立案或转办）" if category else "")
        ),
    }


@role_required(*BUREAU_ROLES)
def queue(request: AuthedHttpRequest) -> HttpResponse:
    leads = selectors.queue_leads(request.user)
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = open_case_candidates(sorted({lead.estate_id for lead in page if lead.estate_id}))
    manifest = ml.read_manifest()
    threshold = _confident_threshold()
    is_admin = request.user.role == Role.BUREAU_ADMIN
    photos = photos_by_lead(request.user, [lead.pk for lead in page])
    context = {
        "page": page,
        "rows": [{**_row(lead, candidates, threshold), "photos": photos.get(lead.pk, [])} for lead in page],
        "categories": [(c.value, label_of(c.value)) for c in Category],
        "accuracy": selectors.accuracy() if is_admin else None,
        "accuracy_by_class": selectors.accuracy_by_class() if is_admin else None,
        "pending_corrections": selectors.corrections_for_review(request.user).count() if is_admin else None,
        "model": manifest,
        "urgent_count": leads.filter(urgent=True).count(),
    }
    return render(request, "triage/queue.html", context)


@require_POST
@role_required(*BUREAU_ROLES)
def decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = selectors.queue_lead_get(request.user, pk=pk)
    target = reverse("triage:queue") + (
        f"?page={request.POST['page']}" if request.POST.get("page", "").isdigit() else ""
    )
    if lead is None:
        messages.error(request, "该线索已被处理或不存在，请刷新分拣台")
        return redirect(target)
    action = request.POST.get("action", "")
    actor = request.user
    try:
        if action == "accept":
            case = services.triage_accept(actor=actor, lead=lead)
            messages.success(request, f"已按建议立案：{case.number}（线索 {lead.tracking_code}）")
        elif action == "correct":
            case = services.triage_correct(actor=actor, lead=lead, category=request.POST.get("category", ""))
            messages.success(request, f"已更正类别并立案：{case.number}（{label_of(case.category)}）")
        elif action == "merge":
            case_id = request.POST.get("case", "")
            if not case_id.isdigit():
                raise DomainError("请选择要并入的事项", field="事项")
            into = cases_visible_to(request.user).filter(pk=int(case_id)).first()
            if into is None:
                raise DomainError("要并入的事项不存在，请刷新分拣台", field="事项")
            services.triage_merge(actor=actor, lead=lead, case=into)
            messages.success(request, f"线索 {lead.tracking_code} 已并入事项 {into.number}")
        elif action == "reject":
            services.triage_reject(actor=actor, lead=lead, reason=request.POST.get("reason", ""))
            messages.success(request, f"线索 {lead.tracking_code} 不予立案")
        elif action == "transfer":
            services.triage_transfer(
                actor=actor,
                lead=lead,
                department=request.POST.get("department", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"线索 {lead.tracking_code} 已转办")
        elif action in ("urgent", "not_urgent"):
            services.triage_set_urgent(actor=actor, lead=lead, urgent=action == "urgent")
            messages.success(
                request, f"线索 {lead.tracking_code} 已{'标为紧急' if action == 'urgent' else '取消紧急'}"
            )
        else:
            raise DomainError("未知的操作", field="操作")
    except DomainError as exc:
        messages.error(request, f"线索 {lead.tracking_code}：{exc}")
    return redirect(target)


@role_required(Role.BUREAU_ADMIN)
def corrections(request: AuthedHttpRequest) -> HttpResponse:
    """The office head's review of staff corrections: only approved ones become training data."""
    status = request.GET.get("status", Review.PENDING)
    if status not in Review.values:
        status = Review.PENDING
    page = Paginator(selectors.corrections_for_review(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "c": c,
            "suggested_label": label_of(c.suggested_category) if c.suggested_category else "—",
            "category_label": label_of(c.category),
        }
        for c in page
    ]
    return render(
        request,
        "triage/corrections.html",
        {"page": page, "rows": rows, "status": status, "statuses": Review.choices},
    )


@require_POST
@role_required(Role.BUREAU_ADMIN)
def correction_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    if not selectors.correction_visible(request.user, pk=pk):
        raise Http404("没有找到该更正")
    try:
        if action not in ("approve", "reject"):
            raise DomainError("未知的操作", field="操作")
        services.correction_review(
            actor=request.user,
            correction_id=pk,
            approve=action == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(
            request,
            "已采用该更正，下次带 --include-corrections 训练时使用"
            if action == "approve"
            else "已不采用该更正",
        )
    except DomainError as exc:
        messages.error(request, f"审核失败：{exc}")
    return redirect(reverse("triage:corrections"))
