"""Ledger pages. Thin: parse the form, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from wuye.accounts.models import BUREAU_ROLES, STAFF_ROLES, User
from wuye.accounts.permissions import role_required
from wuye.common.dates import now, today
from wuye.common.dbrouter import reading_replica
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.files import serve_upload
from wuye.common.forms import form_add_domain_error
from wuye.intake.models import Lead
from wuye.kernel.http import AuthedHttpRequest
from wuye.kernel.taxonomy import label_of
from wuye.registry.selectors import companies_visible_to, estates_visible_to, towns

from . import forms, selectors, services, workflow
from .export import EXPORT_LIMIT, ledger_xlsx
from .models import ActionKind, CaseAttachment, Revisit

PAGE_SIZE = 50


class _CappedPaginator(Paginator):
    """Pages over a capped count so the million-row ledger never runs an unbounded COUNT(*)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._capped = count

    @cached_property
    def count(self) -> int:
        return self._capped


def _filter(user: User, params: QueryDict) -> tuple[forms.LedgerFilterForm, selectors.LedgerFilter]:
    """The ledger filter from the query string (the page's GET, the API's query_params)."""
    form = forms.LedgerFilterForm(
        params or None,
        towns=towns(user),
        estates=estates_visible_to(user).order_by("code"),
        companies=companies_visible_to(user).order_by("name"),
    )
    f = selectors.LedgerFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.LedgerFilter(
            town=d["town"].pk if d["town"] else None,
            estate=d["estate"].pk if d["estate"] else None,
            company=d["company"].pk if d["company"] else None,
            category=d["category"],
            status=d["status"],
            channel=d["channel"],
            overdue=d["overdue"],
            unsigned=d["unsigned"],
            urgent=d["urgent"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            q=d["q"] or "",
        )
    return form, f


@role_required(*STAFF_ROLES)
def case_list(request: AuthedHttpRequest) -> HttpResponse:
    form, f = _filter(request.user, request.GET)
    qs = selectors.case_list(request.user, f)
    cap = selectors.COUNT_CAP
    if f.q:
        # Full-text matches are re-checked row by row: count only as far as the page asked for.
        page_no = request.GET.get("page", "1")
        # isdigit() also accepts digits int() refuses (e.g. "²"): only ASCII digits are a page number.
        cap = min(
            cap,
            (int(page_no) if page_no.isascii() and page_no.isdigit() and int(page_no) > 0 else 1) * PAGE_SIZE,
        )
    total, more = selectors.count_capped(qs, cap)
    page: Page = _CappedPaginator(qs, PAGE_SIZE, total + (1 if more else 0)).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for c in rows:
        c.channel_label = selectors.channel_label(c.source_channel)
        c.is_overdue = selectors.case_is_overdue(c)
        c.sign_late = selectors.case_sign_late(c)
    todo: list[Any] | None = (
        selectors.company_todo(request.user) if request.user.role == "company_staff" else None
    )
    for c in todo or []:
        c.is_overdue = selectors.case_is_overdue(c)
        c.sign_due = selectors.case_sign_due(c)
        c.sign_late = selectors.case_sign_late(c)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "total": total,
        "more": more,
        "today": today(),
        "overdue": selectors.overdue_count(request.user),
        "unsigned": selectors.unsigned_late_count(request.user)
        if request.user.role in BUREAU_ROLES
        else None,
        "now": now(),
        "todo": todo,
        "can_create": request.user.role in BUREAU_ROLES,
        "query": request.GET.urlencode(),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "cases/list.html", ctx)


@role_required(*STAFF_ROLES)
@reading_replica()
def case_export(request: AuthedHttpRequest) -> HttpResponse:
    _, f = _filter(request.user, request.GET)
    qs = selectors.case_list(request.user, f)
    title = f"整治工作台账（导出日期 {today():%Y-%m-%d}）"
    data = ledger_xlsx(qs, title=title)
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename=ledger-{today():%Y%m%d}.xlsx"
    return resp


@role_required(*STAFF_ROLES)
def case_detail(request: AuthedHttpRequest, number: str) -> HttpResponse:
    case = selectors.case_get_visible(request.user, number=number)
    ctx = {
        "case": case,
        "category_label": label_of(case.category),
        "overdue": selectors.case_is_overdue(case),
        "sign_due": selectors.case_sign_due(case),
        "sign_late": selectors.case_sign_late(case),
        "next_step": selectors.next_step(case),
        "reports": selectors.case_reports(request.user, case),
        "feedback": selectors.case_feedback(request.user, case),
        "timeline": selectors.case_timeline(request.user, case),
        "extensions": selectors.case_extensions(case),
        "pending_extension": selectors.pending_extension(case),
        "actions": case.actions.select_related("handover").order_by("date", "id"),
        "deadlines": selectors.deadline_history(case),
        "allowed": selectors.allowed_operations(request.user, case),
        "merged_cases": case.merged_cases.order_by("id"),
        "is_bureau": request.user.role in BUREAU_ROLES,
        "channel": selectors.channel_label(case.source_channel),
        "today": today(),
    }
    return render(request, "cases/detail.html", ctx)


@role_required(*BUREAU_ROLES)
def case_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.CaseCreateForm(
        request.POST or None, request.FILES or None, estates=estates_visible_to(request.user).order_by("code")
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user,
                estate=d["estate"],
                category=d["category"],
                description=d["description"],
                title=d["title"],
                source_channel=d["source_channel"],
                attachments=d["attachments"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已立案，编号 {case.number}。")
            return redirect("cases:detail", number=case.number)
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": "新立台账事项"},
        status=400 if form.errors else 200,
    )


# --- operations on one case: each is declared once in workflow.OPERATIONS ------------------------------------


@role_required(*STAFF_ROLES)
def case_act(request: AuthedHttpRequest, number: str, op: str) -> HttpResponse:
    operation = workflow.OPERATIONS.get(op)
    if operation is None:
        raise Http404("没有这个操作")
    case = selectors.case_get_visible(request.user, number=number)
    posted = request.method == "POST"
    offered = [o.name for o in selectors.allowed_operations(request.user, case, listed_only=False)]
    if not posted and op not in offered:
        # The form is only offered where it applies; a POST still goes to the service for its precise error.
        raise PermissionDenied("此事项当前不能进行该操作，或您的角色无权进行")
    form_class = getattr(forms, operation.form)
    form = form_class(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        if form.is_valid():
            service = getattr(services, operation.service)
            try:
                service(actor=request.user, case=case, **form.cleaned_data)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, operation.done)
                return redirect("cases:detail", number=case.number)
        status = 400
    ext = selectors.pending_extension(case) if op == "extension_decide" else None
    return render(
        request,
        "cases/act.html",
        {
            "form": form,
            "title": f"{case.number} · {operation.label}",
            "case": case,
            "extension": ext,
            "kinds": ActionKind,
        },
        status=status,
    )


@require_POST
@role_required(*BUREAU_ROLES)
def case_split(request: AuthedHttpRequest, number: str, lead_pk: int) -> HttpResponse:
    case = selectors.case_get_visible(request.user, number=number)
    lead = get_object_or_404(Lead, pk=lead_pk, case=case)
    try:
        services.lead_split_from_case(actor=request.user, lead=lead, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将线索 {lead.tracking_code} 拆出，退回待分拣。")
    return redirect("cases:detail", number=case.number)


@role_required(*STAFF_ROLES)
def attachment(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    att = get_object_or_404(CaseAttachment.objects.select_related("case", "event"), pk=pk)
    if not selectors.cases_visible_to(request.user).filter(pk=att.case_id).exists():
        raise Http404("没有找到该文件，或您无权查看")
    if att.event and att.event.kind == "note" and request.user.role not in BUREAU_ROLES:
        raise Http404("没有找到该文件，或您无权查看")
    return serve_upload(
        att.file, content_type=att.content_type, filename=att.original_name, as_attachment=not att.is_image
    )


# --- 回头看 ---------------------------------------------------------------------------------------------------


@role_required(*BUREAU_ROLES)
def revisit_home(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.RevisitDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch, created = services.revisit_sample_draw(
                actor=request.user, per_estate=d["per_estate"], seed=d["seed"], category=d["category"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已抽取样本。" if created else "同样参数的样本已抽取过，显示原样本。")
            return redirect("cases:revisit_batch", pk=batch.pk)
    batches = selectors.revisit_batches(request.user)[:50]
    return render(
        request, "cases/revisit.html", {"form": form, "batches": batches}, status=400 if form.errors else 200
    )


@role_required(*BUREAU_ROLES)
def revisit_batch(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.revisit_batches(request.user), pk=pk)
    # a batch may span counties (drawn deployment-wide): each user sees the revisits of their own cases
    revisits = selectors.revisits_of(batch).filter(case__in=selectors.cases_visible_to(request.user))
    return render(
        request,
        "cases/revisit_batch.html",
        {"batch": batch, "revisits": revisits, "form": forms.RevisitRecordForm()},
    )


@require_POST
@role_required(*BUREAU_ROLES)
def revisit_record(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rv = get_object_or_404(
        Revisit.objects.select_related("batch", "case").filter(
            case__in=selectors.cases_visible_to(request.user)
        ),
        pk=pk,
    )
    form = forms.RevisitRecordForm(request.POST)
    if form.is_valid():
        try:
            services.revisit_record(
                actor=request.user,
                revisit=rv,
                passed=form.cleaned_data["result"] == "passed",
                finding=form.cleaned_data["finding"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记 {rv.case.number} 的复查结果。")
    else:
        messages.error(request, "请选择复查结果并填写复查情况。")
    return redirect("cases:revisit_batch", pk=rv.batch_id)
