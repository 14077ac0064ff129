"""Monthly reports, the report to the city, the dashboard and the public progress page. Thin: parse, call one
service or selector, render."""

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from wuye.common.dates import today
from wuye.common.dbrouter import reading_replica
from wuye.common.errors import DomainError
from wuye.common.files import serve_upload
from wuye.common.forms import form_add_domain_error
from wuye.common.permissions import role_required
from wuye.kernel.http import AuthedHttpRequest
from wuye.kernel.roles import BUREAU_ROLES, COUNTY_READ_ROLES, Role
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate, PropertyCompany
from wuye.registry.selectors import companies_visible_to, estate_in_counties_of, towns, viewer_towns

from . import cityreport, dashboard, forms, selectors, services, stats
from .calendar import month_start, parse_month, previous_month, report_due_date
from .models import MonthlyReportAttachment, NotableCase, ReportStatus
from .phases import CAMPAIGN_START, campaign_share, phase_rows

REPORT_ROLES = (*COUNTY_READ_ROLES, Role.COMPANY_STAFF)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month_param(request: HttpRequest, default: dt.date) -> dt.date:
    try:
        return parse_month(request.GET.get("month", "")) if request.GET.get("month") else default
    except ValueError:
        return default


# --- monthly reports ---------------------------------------------------------------------------------------------


@role_required(*REPORT_ROLES)
def reports(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    last = previous_month(month_start(today()))
    month = _month_param(request, last)
    ctx: dict[str, Any] = {"month": month, "due": report_due_date(month), "last": last}
    if user.role == Role.COMPANY_STAFF:
        owed = selectors.company_due_pairs(user.company_id or 0, month) if month <= last else []
        have = {r.estate_id: r for r in selectors.report_list(user, month=month)}
        ctx["owed"] = [
            {"estate": e, "report": have.get(e.pk)}
            for e in Estate.objects.filter(pk__in=owed).order_by("code")
        ]
        ctx["lateness"] = selectors.lateness_events(company_id=user.company_id)[:24]
    else:
        ctx["late"] = selectors.late_rows(month)
        ctx["counts"] = selectors.punctuality_counts(month)
        ctx["to_review"] = selectors.report_list(user, status=ReportStatus.SUBMITTED)[:100]
    ctx["reports"] = selectors.report_list(user, month=month)[:500]
    return render(request, "oversight/reports.html", ctx)


@require_POST
@role_required(Role.COMPANY_STAFF)
def report_open(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    company = get_object_or_404(PropertyCompany, pk=user.company_id or 0)
    raw_estate = request.POST.get("estate", "")
    estate = get_object_or_404(
        Estate, pk=int(raw_estate) if raw_estate.isascii() and raw_estate.isdigit() else 0
    )
    try:
        month = parse_month(request.POST.get("month", ""))
        report, _ = services.report_draft_open(actor=user, company=company, estate=estate, month=month)
    except (DomainError, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect("oversight:reports")
    return redirect("oversight:report", pk=report.pk)


@role_required(*REPORT_ROLES)
def report_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_get_visible(user, pk=pk)
    editable = selectors.editable_for(user, report)
    form = forms.ReportForm(initial={"text": report.text})
    review = forms.ReviewForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                if not editable and action == "save":
                    raise PermissionDenied("此月报当前不能修改")
                form = forms.ReportForm(request.POST, request.FILES)
                if form.is_valid():
                    d = form.cleaned_data
                    if editable:
                        report = services.report_save(
                            actor=user,
                            report=report,
                            text=d["text"],
                            attachments=d["attachments"] or [],
                            refresh_figures=d["refresh"],
                        )
                    if action == "submit":
                        services.report_submit(actor=user, report=report)
                        messages.success(request, "月报已报送。")
                    else:
                        messages.success(request, "已保存草稿。")
                    return redirect("oversight:report", pk=report.pk)
            elif action in ("return", "accept"):
                if user.role not in BUREAU_ROLES:
                    raise PermissionDenied("只有专班可以审核月报")
                review = forms.ReviewForm(request.POST)
                if review.is_valid():
                    comment = review.cleaned_data["comment"]
                    if action == "return":
                        services.report_return(actor=user, report=report, comment=comment)
                        messages.success(request, "已退回，企业修改后重新报送。")
                    else:
                        services.report_accept(actor=user, report=report, comment=comment)
                        messages.success(request, "已审核通过。")
                    return redirect("oversight:report", pk=report.pk)
            else:
                raise Http404("未知操作")
        except DomainError as exc:
            form_add_domain_error(review if action in ("return", "accept") else form, exc)
    return render(
        request,
        "oversight/report.html",
        {
            "report": report,
            "figures": [(label, report.figures.get(key, 0)) for key, label in selectors.FIGURES.items()],
            "editable": editable,
            "can_review": user.role in BUREAU_ROLES and report.status == ReportStatus.SUBMITTED,
            "form": form,
            "review": review,
            "attachments": report.attachments.all(),
        },
    )


@role_required(*REPORT_ROLES)
def report_attachment(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    att = get_object_or_404(MonthlyReportAttachment, pk=pk)
    selectors.report_get_visible(request.user, pk=att.report_id)
    return serve_upload(
        att.file,
        content_type=att.content_type,
        filename=att.original_name,
        as_attachment=not att.content_type.startswith("image/"),
    )


# --- the report to the city --------------------------------------------------------------------------------------


@role_required(*COUNTY_READ_ROLES)
def city_report(request: AuthedHttpRequest) -> HttpResponse:
    month = _month_param(request, previous_month(month_start(today())))
    form = forms.NotableForm()
    if request.method == "POST":
        if request.user.role not in BUREAU_ROLES:
            raise PermissionDenied("您的角色无权选取典型案例")
        drop = request.POST.get("drop", "")
        if drop:
            notable = get_object_or_404(
                NotableCase.objects.filter(estate_in_counties_of(request.user, "case__estate")),
                pk=int(drop) if drop.isascii() and drop.isdigit() else 0,
            )
            services.notable_case_drop(actor=request.user, notable=notable)
            return redirect(f"{request.path}?month={month:%Y-%m}")
        form = forms.NotableForm(request.POST)
        if form.is_valid():
            try:
                services.notable_case_pick(actor=request.user, month=month, **form.cleaned_data)
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, "已加入本月典型案例。")
                return redirect(f"{request.path}?month={month:%Y-%m}")
    return render(
        request,
        "oversight/city_report.html",
        {
            "month": month,
            "form": form,
            "notable": NotableCase.objects.filter(
                estate_in_counties_of(request.user, "case__estate"), month=month
            ).select_related("case__estate"),
            "can_pick": request.user.role in BUREAU_ROLES,
        },
    )


def _city_report(request: HttpRequest) -> tuple[cityreport.CityReport, str]:
    month = _month_param(request, previous_month(month_start(today())))
    return cityreport.build(month, towns=viewer_towns(request.user)), f"city-report-{month:%Y-%m}"


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def city_report_xlsx(request: AuthedHttpRequest) -> HttpResponse:
    report, name = _city_report(request)
    resp = HttpResponse(cityreport.to_xlsx(report), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return resp


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def city_report_pdf(request: AuthedHttpRequest) -> HttpResponse:
    report, name = _city_report(request)
    resp = HttpResponse(cityreport.to_pdf(report), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return resp


# --- the dashboard -----------------------------------------------------------------------------------------------


def _dashboard_filters(request: HttpRequest) -> tuple[forms.DashboardFilterForm, stats.Filters]:
    form = forms.DashboardFilterForm(
        request.GET or None,
        towns=[(t.pk, t.name) for t in towns(request.user)],
        companies=list(
            companies_visible_to(cast(Any, request.user)).order_by("name").values_list("pk", "name")
        ),
    )
    scope = viewer_towns(request.user)
    f = stats.Filters(towns=scope)
    if form.is_valid():
        d = form.cleaned_data
        f = stats.Filters(
            towns=scope,
            start=d["date_from"] or CAMPAIGN_START,
            end=(d["date_to"] + dt.timedelta(days=1)) if d["date_to"] else None,
            town=d["town"],
            company=d["company"],
            category=d["category"] or "",
        )
    return form, f


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def dashboard_page(request: AuthedHttpRequest) -> HttpResponse:
    form, f = _dashboard_filters(request)
    data = dashboard.build(f, with_people=request.user.role in BUREAU_ROLES)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "form": form,
            "query": request.GET.urlencode(),
            **data,
            "chart_data": {c.key: c.echarts() for c in data["charts"] if c.kind != "none"},
        },
    )


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def dashboard_export(request: AuthedHttpRequest) -> HttpResponse:
    _, f = _dashboard_filters(request)
    data = dashboard.build(f, with_people=request.user.role in BUREAU_ROLES)
    resp = HttpResponse(dashboard.xlsx(data), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="dashboard.xlsx"'
    return resp


# --- public progress ---------------------------------------------------------------------------------------------


@reading_replica()
def progress(request: HttpRequest) -> HttpResponse:
    """The county's public progress page: phases, and cases received and closed by category and town, this
    month and to date. Counts only; no JavaScript."""
    day = today()
    month = month_start(day)
    end = day + dt.timedelta(days=1)
    this_month = stats.summary_totals(month, end)
    to_date = stats.summary_totals(CAMPAIGN_START, end)
    zero = {"received": 0, "accepted": 0, "unfounded": 0}
    categories = [
        (
            f"{c.value} {c.label}",
            this_month.by_category.get(c.value, zero),
            to_date.by_category.get(c.value, zero),
        )
        for c in Category
    ]
    town_rows = [
        (name, this_month.by_town.get(pk, zero), to_date.by_town.get(pk, zero))
        for pk, name in sorted(stats.town_names().items(), key=lambda kv: kv[1])
    ]
    return render(
        request,
        "oversight/progress.html",
        {
            "phases": phase_rows(day),
            "campaign_share": campaign_share(day),
            "this_month": this_month,
            "to_date": to_date,
            "categories": categories,
            "towns": town_rows,
            "month": month,
            "today": day,
        },
    )
