"""Thin views: parse input, call one service or selector, render."""

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.common.dates import today
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.forms import form_add_domain_error
from wuye.common.xlsx import write_table
from wuye.kernel.conf import county_setting
from wuye.registry.selectors import towns

from . import forms, selectors, services
from .models import Disclosure, Entry
from .pdf import statement_pdf
from .periods import period_from_key


def _form_page(request: HttpRequest, form: Any, title: str, *, back: str, intro: str = "") -> HttpResponse:
    return render(request, "revenue/form.html", {"form": form, "title": title, "back": back, "intro": intro})


# --- landing pages -----------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role in COUNTY_READ_ROLES:  # type: ignore[union-attr]
        return compliance(request)
    if user.role == Role.COMMITTEE_MEMBER:  # type: ignore[union-attr]
        return redirect("revenue:estate", code=selectors.revenue_estate_get(user, code=user.estate.code).code)  # type: ignore[union-attr,arg-type]
    estates = selectors.estates_with_revenue(user)  # type: ignore[arg-type]
    return render(
        request,
        "revenue/home_company.html",
        {
            "estates": estates,
            "objections": selectors.objections_open_for(user)[:50],  # type: ignore[arg-type]
            "due_period": selectors.disclosure_due_period(),
            "today": today(),
        },
    )


def _compliance_qs(request: HttpRequest) -> Any:
    town = request.GET.get("town") or ""
    problems = request.GET.get("problems") == "1"
    qs = selectors.compliance_table(
        request.user,
        town_id=int(town) if town.isdigit() else None,  # type: ignore[arg-type]
        only_problems=problems,
    )
    return qs, town, problems


@role_required(*COUNTY_READ_ROLES)
def compliance(request: HttpRequest) -> HttpResponse:
    qs, town, problems = _compliance_qs(request)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "revenue/compliance.html",
        {
            "page": page,
            "towns": towns(),
            "town": town,
            "problems": problems,
            "due_period": selectors.disclosure_due_period(),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*COUNTY_READ_ROLES)
def compliance_export(request: HttpRequest) -> HttpResponse:
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
def estate(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    est = selectors.revenue_estate_get(user, code=code)  # type: ignore[arg-type]
    account = selectors.account_of(est)
    ctx: dict[str, Any] = {
        "estate": est,
        "account": account,
        "is_company": selectors.user_company_runs(user, est),  # type: ignore[arg-type]
        "is_committee": user.role == Role.COMMITTEE_MEMBER,
        "is_bureau": user.role in BUREAU_ROLES,  # type: ignore[union-attr]
        "can_annul": user.role in services.ANNUL_ROLES,  # type: ignore[union-attr]
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
def account_open(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
    form = forms.AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_open(actor=request.user, estate=est, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已登记公共收益专门账户。")
            return redirect("revenue:estate", code=est.code)
    return _form_page(
        request, form, f"{est.name} · 登记公共收益专门账户", back=reverse("revenue:estate", args=[code])
    )


@role_required(*BUREAU_ROLES)
def account_status(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
    account = selectors.account_get(est)
    form = forms.AccountStatusForm(request.POST or None, initial={"status": account.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_set_status(actor=request.user, account=account, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已更新账户监管状态。")
            return redirect("revenue:estate", code=est.code)
    return _form_page(
        request, form, f"{est.name} · 账户监管状态", back=reverse("revenue:estate", args=[code])
    )


@role_required(Role.COMPANY_STAFF)
def entry_create(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
    form = forms.EntryForm(
        request.POST or None, request.FILES or None, estate=est, initial={"occurred_on": today()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            entry = services.entry_create(actor=request.user, estate=est, **data)  # type: ignore[arg-type]
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


def _entry_for(request: HttpRequest, pk: int) -> Entry:
    return selectors.entry_get_visible(request.user, pk=pk)  # type: ignore[arg-type]


@role_required(Role.COMPANY_STAFF, *BUREAU_ROLES)
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    annul = request.user.role in services.ANNUL_ROLES  # type: ignore[union-attr]
    form = forms.ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
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
def entry_vouchers(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    form = forms.VoucherForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_add_vouchers(
                actor=request.user, entry=entry, vouchers=form.cleaned_data["vouchers"]
            )  # type: ignore[arg-type]
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
    request: HttpRequest,
    code: str,
    form_class: Any,
    service: Any,
    title: str,
    done: str,
    needs_estate: bool = False,
) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
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
def resolution_create(request: HttpRequest, code: str) -> HttpResponse:
    return _simple_create(
        request, code, forms.ResolutionForm, services.resolution_record, "登记业主大会决议", "已登记决议。"
    )


@role_required(Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def contract_create(request: HttpRequest, code: str) -> HttpResponse:
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
def business_create(request: HttpRequest, code: str) -> HttpResponse:
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
def disclosure_publish(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
    form = forms.PublishForm(
        request.POST or None, initial={"period_key": selectors.disclosure_due_period().key}
    )
    if request.method == "POST" and form.is_valid():
        try:
            d = services.disclosure_publish(actor=request.user, estate=est, **form.cleaned_data)  # type: ignore[arg-type]
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
def disclosure(request: HttpRequest, code: str, period: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
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
            "is_company": selectors.user_company_runs(request.user, est),  # type: ignore[arg-type]
            "can_comment": request.user.role in (Role.COMMITTEE_MEMBER, *BUREAU_ROLES),  # type: ignore[union-attr]
            "comment_form": forms.CommentForm(),
            "answer_form": forms.AnswerForm(),
            "today": today(),
        },
    )


@require_POST
@role_required(Role.COMMITTEE_MEMBER, *BUREAU_ROLES)
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.disclosure_get_visible(request.user, pk=pk)  # type: ignore[arg-type]
    form = forms.CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("审阅意见：不能为空", field="text")
        services.comment_add(actor=request.user, disclosure=d, text=form.cleaned_data["text"])  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录审阅意见。")
    return redirect("revenue:disclosure", code=d.account.estate.code, period=d.period_key)


@require_POST
@role_required(Role.COMPANY_STAFF)
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.objection_get_visible(request.user, pk=pk)  # type: ignore[arg-type]
    est = obj.disclosure.account.estate
    form = forms.AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("答复：不能为空", field="answer")
        services.objection_answer(actor=request.user, objection=obj, answer=form.cleaned_data["answer"])  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已答复异议。")
    return redirect("revenue:disclosure", code=est.code, period=obj.disclosure.period_key)


# --- public pages (no login; no personal data) ---------------------------------------------------------------


def public_url(code: str) -> str:
    return county_setting("PUBLIC_BASE_URL").rstrip("/") + reverse("revenue:public", args=[code])


def public_index(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.public_estate(code)
    account = selectors.account_of(est)
    disclosures = list(selectors.disclosures_published(account)) if account else []
    return render(
        request,
        "revenue/public_index.html",
        {
            "estate": est,
            "account": account,
            "disclosures": disclosures,
            "latest": disclosures[0] if disclosures else None,
            "public_url": public_url(code),
        },
    )


def _public_statement(code: str, period: str) -> tuple[Any, Disclosure, selectors.Statement]:
    est = selectors.public_estate(code)
    account = selectors.account_of(est)
    if account is None:
        raise Http404("该小区没有公示")
    try:
        p = period_from_key(period)
    except DomainError:
        raise Http404("期间不正确") from None
    d = selectors.disclosure_published_for(account, period_key=p.key)
    if d is None:
        raise Http404("该期间尚未公示")
    return est, d, selectors.statement(account, p)


def public_statement(request: HttpRequest, code: str, period: str) -> HttpResponse:
    est, d, st = _public_statement(code, period)
    user = request.user
    can_object = (
        user.is_authenticated
        and selectors.owner_units_in(user, est)  # type: ignore[arg-type]
        and today() <= d.objection_until
    )
    return render(
        request,
        "revenue/public_statement.html",
        {
            "estate": est,
            "d": d,
            "st": st,
            "objections": selectors.objections_of(d),
            "can_object": can_object,
            "public_url": public_url(code),
            "is_owner": getattr(user, "role", None) == Role.OWNER,
        },
    )


def public_pdf(request: HttpRequest, code: str, period: str) -> HttpResponse:
    est, d, st = _public_statement(code, period)
    data = statement_pdf(st, d, public_url=public_url(code))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=revenue-{est.code}-{d.period_key}.pdf"
    return resp


def public_qr(request: HttpRequest, code: str) -> HttpResponse:
    selectors.public_estate(code)
    buf = io.BytesIO()
    segno.make(public_url(code), error="m").save(buf, kind="svg", scale=6, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


def public_voucher(request: HttpRequest, pk: int) -> HttpResponse:
    """Vouchers of lines in a published statement are public; others only to staff who see the estate."""
    voucher = selectors.voucher_get(pk)
    if not selectors.voucher_is_public(voucher):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        selectors.entry_get_visible(request.user, pk=voucher.entry_id)  # type: ignore[arg-type]
    return FileResponse(
        voucher.file.open("rb"),
        content_type=voucher.content_type,
        filename=voucher.original_name,
        as_attachment=False,
    )


@require_POST
def public_objection(request: HttpRequest, code: str, period: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("revenue:public_statement", args=[code, period]))
    est, d, _ = _public_statement(code, period)
    form = forms.ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请填写异议内容", field="text")
        entry = selectors.entry_in_disclosure(d, pk=form.cleaned_data["entry"])
        if entry is None:
            raise DomainError("该明细不在本期公示中", field="entry")
        services.objection_raise(
            actor=request.user, disclosure=d, entry=entry, text=form.cleaned_data["text"]
        )  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, NotAllowed) else 400
        resp = public_statement(request, code, period)
        resp.status_code = status
        return resp
    messages.success(request, "您的异议已提交，物业服务企业须在期限内答复。")
    return redirect("revenue:public_statement", code=est.code, period=d.period_key)


# --- maintenance fund --------------------------------------------------------------------------------------


@role_required(*COUNTY_READ_ROLES)
def fund_county(request: HttpRequest) -> HttpResponse:
    rows = selectors.fund_county_by_collector(request.user)  # type: ignore[arg-type]
    if request.GET.get("format") == "xlsx":
        data = write_table(
            title=f"{county_setting('COUNTY_NAME')}住宅专项维修资金未上缴情况（{today():%Y-%m-%d}）",
            headers=[
                "序号",
                "代收方",
                "代收单位",
                "涉及小区",
                "笔数",
                "已代收未上缴（元）",
                "其中逾期（元）",
                "尚未代收（元）",
            ],
            rows=[
                [
                    i,
                    r["collector_label"],
                    r["collector_name"],
                    r["estates"],
                    r["dues"],
                    float(r["held"]),
                    float(r["overdue"]),
                    float(r["uncollected"]),
                ]
                for i, r in enumerate(rows, start=1)
            ],
            widths=[6, 16, 32, 10, 8, 18, 16, 16],
        )
        resp = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = "attachment; filename*=UTF-8''fund-undeposited.xlsx"
        return resp
    return render(request, "revenue/fund_county.html", {"rows": rows, "today": today()})


def _first_form_error(form: Any) -> DomainError:
    """The first invalid field of a form shown as a message, named by its label (not a fixed guess)."""
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else "填写内容"
    return DomainError(f"{label}：{errors[0]}", field=name)


@role_required(*STAFF_ROLES)
def fund_estate(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)  # type: ignore[arg-type]
    is_bureau = request.user.role in BUREAU_ROLES  # type: ignore[union-attr]
    gen_form = forms.FundGenerateForm(
        request.POST if request.POST.get("op") == "generate" else None,
        initial={"collector_name": est.developer, "collector": "developer"},
    )
    mark_form = forms.FundMarkForm(
        request.POST if request.POST.get("op") == "mark" else None, initial={"day": today()}
    )
    if request.method == "POST":
        try:
            if request.POST.get("op") == "generate":
                if not gen_form.is_valid():
                    raise _first_form_error(gen_form)
                n = services.fund_dues_generate(actor=request.user, estate=est, **gen_form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, f"已核定 {n} 套房屋的首期维修资金。")
            elif request.POST.get("op") == "mark":
                if not mark_form.is_valid():
                    raise _first_form_error(mark_form)
                ids = request.POST.getlist("due")
                data = mark_form.cleaned_data
                if data["action"] == "collect":
                    n = services.fund_collection_record(
                        actor=request.user,
                        estate=est,
                        due_ids=ids,  # type: ignore[arg-type]
                        collected_on=data["day"],
                    )
                else:
                    n = services.fund_deposit_record(
                        actor=request.user,
                        estate=est,
                        due_ids=ids,  # type: ignore[arg-type]
                        deposited_on=data["day"],
                        reference=data["reference"],
                    )
                messages.success(request, f"已更新 {n} 笔。")
            else:
                raise DomainError("未知操作", field="action")
        except (DomainError, ValueError) as exc:
            messages.error(request, exc.message)
        else:
            return redirect("revenue:fund_estate", code=est.code)
    dues = selectors.fund_dues_of(est)
    return render(
        request,
        "revenue/fund_estate.html",
        {
            "estate": est,
            "summary": selectors.fund_estate_summary(est),
            "page": Paginator(dues, 100).get_page(request.GET.get("page")),
            "is_bureau": is_bureau,
            "can_collect": is_bureau or selectors.user_company_runs(request.user, est),  # type: ignore[arg-type]
            "gen_form": gen_form,
            "mark_form": mark_form,
            "today": today(),
            "fund_rate": county_setting("FUND_RATE_YUAN_PER_M2"),
            "has_dues": selectors.fund_has_dues(est),
        },
    )
