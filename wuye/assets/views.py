"""Staff and company pages of elevators, handovers, maintenance-fund uses and parking. Thin: parse, call, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.common.dates import today
from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.common.xlsx import write_table
from wuye.kernel.conf import county_setting
from wuye.registry.selectors import company_serves_estate, estate_setting

from . import forms, selectors, services
from .models import FundUseStatus, ItemStatus, ParkingSpace, RenewalStage
from .services.handover import is_outgoing_side, is_receiving_side

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _try(form: Any, call: Any) -> bool:
    """Run a service with the form's data; a domain error goes on the form's field. True when it went through."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return False
    return True


# --- elevators ----------------------------------------------------------------------------------------------


@role_required(*COUNTY_READ_ROLES)
def elevator_county(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.elevator_county_table(request.user)
    bands = [label for label, _, _ in selectors.AGE_BANDS]
    stages = [label for _, label in RenewalStage.choices]
    if request.GET.get("format") == "xlsx":
        data = write_table(
            title=f"{county_setting('COUNTY_NAME')}住宅电梯使用年限与更新改造情况（{today():%Y-%m-%d}）",
            headers=["序号", "乡镇/街道", "小区", "电梯数", *bands, *stages, "检验不合格", "应更新未启动"],
            rows=[
                [
                    i,
                    r["estate"].town.name,
                    r["estate"].name,
                    r["total"],
                    *r["band_counts"],
                    *r["stage_counts"],
                    r["failed"],
                    r["due"],
                ]
                for i, r in enumerate(rows, start=1)
            ],
            widths=[6, 14, 24, 8, *[10] * len(bands), *[12] * len(stages), 10, 12],
        )
        resp = HttpResponse(data, content_type=XLSX)
        resp["Content-Disposition"] = "attachment; filename*=UTF-8''elevators-county.xlsx"
        return resp
    totals = {
        "elevators": sum(r["total"] for r in rows),
        "due": sum(r["due"] for r in rows),
        "bands": [sum(r["band_counts"][i] for r in rows) for i in range(len(bands))],
        "stages": [sum(r["stage_counts"][i] for r in rows) for i in range(len(stages))],
    }
    return render(
        request,
        "assets/elevator_county.html",
        {
            "rows": rows,
            "bands": bands,
            "stages": stages,
            "totals": totals,
            "old_years": county_setting("OLD_ELEVATOR_YEARS", request.user.county),
        },
    )


@role_required(*BUREAU_ROLES)
def elevator_import(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_elevators(actor=request.user, data=form.cleaned_data["file"].read())
        except DomainError as exc:
            form_add_domain_error(form, exc)
    return render(request, "assets/elevator_import.html", {"form": form, "result": result})


@role_required(*STAFF_ROLES)
def estate(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.estate_get_staff(request.user, code=code)
    return render(
        request,
        "assets/estate.html",
        {
            "estate": est,
            "elevators": selectors.elevators_of(est),
            "handover": selectors.open_handover_of(est),
            "fund": selectors.estate_fund_balance(est),
            "fund_uses": selectors.fund_uses_of(est)[:20],
            "parking": selectors.parking_summary(est),
            "maintenance_days": estate_setting("ELEVATOR_MAINTENANCE_DAYS", est),
            "today": today(),
        },
    )


@role_required(*STAFF_ROLES)
def elevator(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    e = selectors.elevator_get_visible(request.user, pk=pk)
    user = request.user
    can_enter = user.role in BUREAU_ROLES or (
        user.role == Role.COMPANY_STAFF and company_serves_estate(user.company_id, e.estate_id)
    )
    can_renew = user.role in BUREAU_ROLES or (
        user.role == Role.COMMITTEE_MEMBER and user.estate_id == e.estate_id
    )
    op = request.POST.get("op") if request.method == "POST" else None
    if op and not (can_renew if op == "renewal" else can_enter):
        raise PermissionDenied("您无权登记此电梯的信息")
    m_form = forms.MaintenanceForm(request.POST if op == "maintenance" else None, request.FILES or None)
    f_form = forms.FaultForm(request.POST if op == "fault" else None)
    r_form = forms.RenewalForm(
        request.POST if op == "renewal" else None,
        estate_id=e.estate_id,
        initial={"stage": e.stage, "funding_source": e.funding_source, "motion": e.motion_id},
    )
    done = False
    if op == "maintenance":
        done = _try(m_form, lambda d: services.maintenance_record(actor=user, elevator=e, **d))
    elif op == "fault":
        done = _try(f_form, lambda d: services.fault_record(actor=user, elevator=e, **d))
    elif op == "renewal":
        done = _try(r_form, lambda d: services.renewal_set(actor=user, elevator=e, **d))
    if done:
        messages.success(request, "已保存。")
        return redirect("assets:elevator", pk=e.pk)
    return render(
        request,
        "assets/elevator.html",
        {
            "e": e,
            "age": selectors.age_years(e.installed_on),
            "maintenances": e.maintenances.all()[:30],
            "faults": e.faults.all()[:30],
            "m_form": m_form,
            "f_form": f_form,
            "r_form": r_form,
            "can_enter": can_enter,
            "can_renew": can_renew,
        },
        status=400 if op else 200,
    )


# --- handover -----------------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def handovers(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request, "assets/handovers.html", {"handovers": selectors.handovers_visible_to(request.user)}
    )


@role_required(*STAFF_ROLES)
def handover(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    h = selectors.handover_get_visible(request.user, pk=pk)
    user = request.user
    op = request.POST.get("op") if request.method == "POST" else None
    error = ""
    if op:
        try:
            if op == "incoming":
                form = forms.IncomingForm(request.POST)
                if not form.is_valid():
                    raise DomainError("请完整填写接管方信息", field="kind")
                services.handover_set_incoming(actor=user, handover=h, **form.cleaned_data)
            else:
                raw_item = request.POST.get("item", "")
                item = h.items.filter(pk=int(raw_item)).first() if raw_item.isdecimal() else None
                if item is None:
                    raise DomainError("没有找到该移交事项，请刷新后重试", field="item")
                if op == "confirm":
                    cf = forms.ItemConfirmForm(request.POST, request.FILES)
                    if not cf.is_valid():
                        raise DomainError("请填写接收凭证说明", field="evidence")
                    services.handover_item_confirm(actor=user, item=item, **cf.cleaned_data)
                elif op == "dispute":
                    services.handover_item_dispute(
                        actor=user, item=item, dispute=request.POST.get("dispute", "")
                    )
                elif op == "answer":
                    services.handover_item_answer(
                        actor=user, item=item, answer=request.POST.get("answer", "")
                    )
                else:
                    raise DomainError("未知操作", field="op")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect("assets:handover", pk=h.pk)
    return render(
        request,
        "assets/handover.html",
        {
            "h": h,
            "items": h.items.all(),
            "receiving": is_receiving_side(user, h),
            "outgoing": is_outgoing_side(user, h),
            "is_bureau": user.role in BUREAU_ROLES,
            "incoming_form": forms.IncomingForm(initial={"kind": h.incoming_kind, "company": h.incoming_id}),
            "error": error,
            "confirmed": ItemStatus.CONFIRMED,
            "disputed": ItemStatus.DISPUTED,
        },
        status=400 if error else 200,
    )


# --- maintenance fund use -----------------------------------------------------------------------------------


@role_required(Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER)
def fund_use_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.estate_get_staff(request.user, code=code)
    form = forms.FundUseForm(request.POST or None, estate_id=est.pk)
    if request.method == "POST" and _try(
        form, lambda d: services.fund_use_apply(actor=request.user, estate=est, **d)
    ):
        messages.success(request, "维修资金使用申请已登记。")
        return redirect("assets:estate", code=est.code)
    return render(
        request,
        "assets/form.html",
        {
            "title": f"{est.name} · 申请使用维修资金",
            "form": form,
            "back": f"/assets/estates/{est.code}/",
            "fund": selectors.estate_fund_balance(est),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*STAFF_ROLES)
def fund_use(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    use = selectors.fund_use_get_visible(request.user, pk=pk)
    if request.method == "POST":
        try:
            services.fund_use_move(actor=request.user, use=use, to=request.POST.get("to", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已更新。")
        return redirect("assets:fund_use", pk=use.pk)
    user = request.user
    moves = []
    if user.role in BUREAU_ROLES:
        moves = [FundUseStatus.APPROVED, FundUseStatus.PAID, FundUseStatus.REJECTED]
    if user.role in BUREAU_ROLES or (user.role == Role.COMMITTEE_MEMBER and user.estate_id == use.estate_id):
        moves.append(FundUseStatus.ACCEPTED)
    return render(
        request,
        "assets/fund_use.html",
        {
            "u": use,
            "moves": [(m.value, m.label) for m in moves],
            "fund": selectors.estate_fund_balance(use.estate),
        },
    )


# --- parking ------------------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def parking(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.estate_get_staff(request.user, code=code)
    user = request.user
    can_report = user.role in BUREAU_ROLES or (
        user.role == Role.COMMITTEE_MEMBER and user.estate_id == est.pk
    )
    if request.method == "POST" and not can_report:
        raise PermissionDenied("您无权登记停车问题")
    form = forms.ParkingReportForm(request.POST or None)
    if request.method == "POST" and _try(
        form, lambda d: services.parking_report(actor=user, estate=est, **d)
    ):
        messages.success(request, "停车问题已登记为问题线索。")
        return redirect("assets:parking", code=est.code)
    return render(
        request,
        "assets/parking.html",
        {
            "estate": est,
            "summary": selectors.parking_summary(est),
            "spaces": est.parking_spaces.order_by("number")[:200],
            "disputes": selectors.parking_disputes(est),
            "form": form if can_report else None,
            "can_enter": _can_enter_spaces(user, est.pk),
        },
        status=400 if request.method == "POST" else 200,
    )


def _can_enter_spaces(user: Any, estate_id: int) -> bool:
    """The company serving the estate today, or the bureau (task force), enters the estate's spaces."""
    return user.role in BUREAU_ROLES or (
        user.role == Role.COMPANY_STAFF and company_serves_estate(user.company_id, estate_id)
    )


@role_required(*BUREAU_ROLES, Role.COMPANY_STAFF)
def parking_space(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Add a space, or edit one (`?number=A001`): the number is its key within the estate."""
    est = selectors.estate_get_staff(request.user, code=code)
    if not _can_enter_spaces(request.user, est.pk):
        raise PermissionDenied("只有为本小区提供服务的物业企业或专班人员可以登记停车位")
    space = ParkingSpace.objects.filter(estate=est, number=request.GET.get("number", "")).first()
    initial = {}
    if space is not None:
        initial = {
            "number": space.number,
            "kind": space.kind,
            "user_label": space.user_label,
            "plate": space.plate,
            "monthly_rent": space.monthly_rent,
        }
    form = forms.ParkingSpaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and _try(
        form, lambda d: services.parking_space_save(actor=request.user, estate=est, **d)
    ):
        messages.success(request, "车位已保存。")
        return redirect("assets:parking", code=est.code)
    return render(
        request,
        "assets/form.html",
        {
            "title": f"{est.name} · {'修改车位 ' + space.number if space else '登记车位'}",
            "form": form,
            "back": f"/assets/estates/{est.code}/parking/",
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*BUREAU_ROLES, Role.COMPANY_STAFF)
def parking_import(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.estate_get_staff(request.user, code=code)
    if not _can_enter_spaces(request.user, est.pk):
        raise PermissionDenied("只有为本小区提供服务的物业企业或专班人员可以导入停车位")
    form = forms.ParkingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_parking_spaces(
                actor=request.user, estate=est, data=form.cleaned_data["file"].read()
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
    return render(
        request,
        "assets/parking_import.html",
        {"estate": est, "form": form, "result": result},
        status=400 if request.method == "POST" and result is None else 200,
    )
