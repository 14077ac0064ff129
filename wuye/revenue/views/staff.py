"""Revenue pages of bureau, company and committee staff: the county tables and one estate's ledger."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.common.dates import today
from wuye.common.dbrouter import reading_replica
from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.common.xlsx import write_table
from wuye.kernel.conf import county_setting
from wuye.registry.selectors import towns

from .. import forms, selectors, services
from ..models import Entry
from ..periods import period_from_key


def _form_page(request: HttpRequest, form: Any, title: str, *, back: str, intro: str = "") -> HttpResponse:
    return render(request, "revenue/form.html", {"form": form, "title": title, "back": back, "intro": intro})


# --- landing pages -----------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if user.role in COUNTY_READ_ROLES:
        return compliance(request)
    if user.role == Role.COMMITTEE_MEMBER:
        return redirect("revenue:estate", code=selectors.revenue_estate_get(user, code=user.estate.code).code)  # type: ignore[union-attr]
    estates = selectors.estates_with_revenue(user)
    return render(
        request,
        "revenue/home_company.html",
        {
            "estates": estates,
            "objections": selectors.objections_open_for(user)[:50],
            "due_period": selectors.disclosure_due_period(),
            "today": today(),
        },
    )


def _compliance_qs(request: AuthedHttpRequest) -> Any:
    town = request.GET.get("town") or ""
    problems = request.GET.get("problems") == "1"
    qs = selectors.compliance_table(
        request.user,
        town_id=int(town) if town.isdigit() else None,
        only_problems=problems,
    )
    return qs, town, problems


@role_required(*COUNTY_READ_ROLES)
def compliance(request: AuthedHttpRequest) -> HttpResponse:
    qs, town, problems = _compliance_qs(request)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "revenue/compliance.html",
        {
            "page": page,
            "towns": towns(request.user),
            "town": town,
            "problems": problems,
            "due_period": selectors.disclosure_due_period(),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def compliance_export(request: AuthedHttpRequest) -> HttpResponse:
    qs, _, _ = _compliance_qs(request)
    data = write_table(
        title=f"{county_setting('COUNTY_NAME')}公共收益监管情况（{today():%Y-%m-%d}）",
        headers=selectors.COMPLIANCE_HEADERS,
        rows=selectors.compliance_rows(qs),
        widths=[6, 10, 18, 12, 28, 12, 14, 12, 14, 14],
    )
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''revenue-compliance.xlsx"
    return resp


# --- one estate (staff) ------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def estate(request: AuthedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    est = selectors.revenue_estate_get(user, code=code)
    account = selectors.account_of(est)
    ctx: dict[str, Any] = {
        "estate": est,
        "account": account,
        "is_company": selectors.user_company_runs(user, est),
        "is_committee": user.role == Role.COMMITTEE_MEMBER,
        "is_bureau": user.role in BUREAU_ROLES,
        "can_annul": user.role in services.ANNUL_ROLES,
        "contracts": selectors.contracts_with_income(est),
        "resolutions": selectors.resolutions_of(est),
        "businesses": selectors.businesses_of(est),
        "due_period": selectors.disclosure_due_period(),
    }
    if account is not None:
        entries = selectors.entries_of(account)
        ctx.update(
            {
                "balance": selectors.account_balance(account),
                "page": Paginator(entries, 50).get_page(request.GET.get("page")),
                "disclosures": selectors.disclosures_published(account),
                "objections": selectors.objections_recent(account),
            }
        )
    return render(request, "revenue/estate.html", ctx)


@role_required(Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def account_open(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    form = forms.AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_open(actor=request.user, estate=est, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已登记公共收益专门账户。")
            return redirect("revenue:estate", code=est.code)
    return _form_page(
        request, form, f"{est.name} · 登记公共收益专门账户", back=reverse("revenue:estate", args=[code])
    )


@role_required(*BUREAU_ROLES)
def account_status(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    account = selectors.account_get(est)
    form = forms.AccountStatusForm(request.POST or None, initial={"status": account.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_set_status(actor=request.user, account=account, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已更新账户监管状态。")
            return redirect("revenue:estate", code=est.code)
    return _form_page(
        request, form, f"{est.name} · 账户监管状态", back=reverse("revenue:estate", args=[code])
    )


@role_required(Role.COMPANY_STAFF)
def entry_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    form = forms.EntryForm(
        request.POST or None, request.FILES or None, estate=est, initial={"occurred_on": today()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            entry = services.entry_create(actor=request.user, estate=est, **data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已记账：第 {entry.number} 号。")
            return redirect("revenue:estate", code=est.code)
    return _form_page(
        request,
        form,
        f"{est.name} · 记一笔公共收益账",
        back=reverse("revenue:estate", args=[code]),
        intro="分录只能追加，不能修改或删除；录错请用“冲正”。",
    )


def _entry_for(request: AuthedHttpRequest, pk: int) -> Entry:
    return selectors.entry_get_visible(request.user, pk=pk)


@role_required(Role.COMPANY_STAFF, *BUREAU_ROLES)
def entry_reverse(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    annul = request.user.role in services.ANNUL_ROLES
    form = forms.ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                annul=annul,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已撤销该分录（冲正）。" if annul else "已冲正该分录。")
            return redirect("revenue:estate", code=entry.account.estate.code)
    title = f"{'撤销' if annul else '冲正'}第 {entry.number} 号分录：{entry.description}（{entry.amount} 元）"
    return _form_page(
        request,
        form,
        title,
        back=reverse("revenue:estate", args=[entry.account.estate.code]),
        intro="将追加一笔方向相反、金额相同的冲正分录，原分录保留。",
    )


@role_required(Role.COMPANY_STAFF)
def entry_vouchers(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    form = forms.VoucherForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_add_vouchers(
                actor=request.user, entry=entry, vouchers=form.cleaned_data["vouchers"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已补充凭证。")
            return redirect("revenue:estate", code=entry.account.estate.code)
    return _form_page(
        request,
        form,
        f"为第 {entry.number} 号分录补充凭证",
        back=reverse("revenue:estate", args=[entry.account.estate.code]),
    )


def _simple_create(
    request: AuthedHttpRequest,
    code: str,
    form_class: Any,
    service: Any,
    title: str,
    done: str,
    needs_estate: bool = False,
) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    kwargs = {"estate": est} if needs_estate else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, estate=est, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("revenue:estate", code=est.code)
    return _form_page(request, form, f"{est.name} · {title}", back=reverse("revenue:estate", args=[code]))


@role_required(Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def resolution_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    return _simple_create(
        request, code, forms.ResolutionForm, services.resolution_record, "登记业主大会决议", "已登记决议。"
    )


@role_required(Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def contract_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    return _simple_create(
        request,
        code,
        forms.UsageContractForm,
        services.usage_contract_record,
        "登记共有部位经营合同",
        "已登记经营合同。",
        needs_estate=True,
    )


@role_required(Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def business_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    return _simple_create(
        request,
        code,
        forms.BusinessForm,
        services.business_record,
        "登记共有部位经营情况",
        "已登记经营情况。",
        needs_estate=True,
    )


@role_required(Role.COMPANY_STAFF)
def disclosure_publish(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    form = forms.PublishForm(
        request.POST or None, initial={"period_key": selectors.disclosure_due_period().key}
    )
    if request.method == "POST" and form.is_valid():
        try:
            d = services.disclosure_publish(actor=request.user, estate=est, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已公示 {period_from_key(d.period_key).label}收支明细。")
            return redirect("revenue:disclosure", code=est.code, period=d.period_key)
    return _form_page(
        request,
        form,
        f"{est.name} · 公示公共收益收支",
        back=reverse("revenue:estate", args=[code]),
        intro="公示后该期间的明细不能再补记；异议期内业主可对任何一笔提出异议。",
    )


@role_required(*STAFF_ROLES)
def disclosure(request: AuthedHttpRequest, code: str, period: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    account = selectors.account_get(est)
    d = selectors.disclosure_get(account, period_key=period)
    st = selectors.statement(account, period_from_key(period))
    return render(
        request,
        "revenue/disclosure_staff.html",
        {
            "estate": est,
            "st": st,
            "d": d,
            "objections": selectors.objections_of(d),
            "comments": selectors.comments_of(d),
            "is_company": selectors.user_company_runs(request.user, est),
            "can_comment": request.user.role in (Role.COMMITTEE_MEMBER, *BUREAU_ROLES),
            "comment_form": forms.CommentForm(),
            "answer_form": forms.AnswerForm(),
            "today": today(),
        },
    )


@require_POST
@role_required(Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def comment_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    d = selectors.disclosure_get_visible(request.user, pk=pk)
    form = forms.CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("审阅意见：不能为空", field="text")
        services.comment_add(actor=request.user, disclosure=d, text=form.cleaned_data["text"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录审阅意见。")
    return redirect("revenue:disclosure", code=d.account.estate.code, period=d.period_key)


@require_POST
@role_required(Role.COMPANY_STAFF)
def objection_answer(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    obj = selectors.objection_get_visible(request.user, pk=pk)
    est = obj.disclosure.account.estate
    form = forms.AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("答复：不能为空", field="answer")
        services.objection_answer(actor=request.user, objection=obj, answer=form.cleaned_data["answer"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已答复异议。")
    return redirect("revenue:disclosure", code=est.code, period=obj.disclosure.period_key)
