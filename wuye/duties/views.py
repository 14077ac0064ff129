"""Duty pages (thin: parse, call one service or selector, render). The company enters its records; the county
roles review them with a readiness score per estate; the public part is the estate page's section."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import COUNTY_READ_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.registry.models import Estate
from wuye.registry.selectors import companies_visible_to, towns

from . import forms, selectors, services
from .models import ConfinedSpaceWork, FireCheck, HazardCheck, RenovationViolation

REVIEW_ROLES = (*COUNTY_READ_ROLES, Role.COMPANY_STAFF)


@dataclass(frozen=True)
class RecordKind:
    label: str
    form: type[forms.forms.Form]
    save: Callable[[Any, Estate, dict[str, Any]], Any]
    intro: str = ""


KINDS: dict[str, RecordKind] = {
    "standard": RecordKind(
        "合同服务标准",
        forms.StandardForm,
        lambda a, e, d: services.standard_set(actor=a, estate=e, **d),
        "选择本县规定的服务等级，或按合同逐条填写；现场检查不合格时将指明违反的条款。",
    ),
    "disclosure": RecordKind(
        "信息公示", forms.DisclosureForm, lambda a, e, d: services.disclosure_post(actor=a, estate=e, **d)
    ),
    "renovation": RecordKind(
        "装修登记", forms.RenovationForm, lambda a, e, d: services.renovation_register(actor=a, estate=e, **d)
    ),
    "violation": RecordKind(
        "装修违规行为", forms.ViolationForm, lambda a, e, d: services.violation_record(actor=a, **d)
    ),
    "plan": RecordKind(
        "安全制度与应急预案", forms.PlanForm, lambda a, e, d: services.plan_record(actor=a, estate=e, **d)
    ),
    "supply": RecordKind(
        "应急物资", forms.SupplyForm, lambda a, e, d: services.supply_record(actor=a, estate=e, **d)
    ),
    "drill": RecordKind(
        "应急培训和演练", forms.DrillForm, lambda a, e, d: services.drill_record(actor=a, estate=e, **d)
    ),
    "hazard": RecordKind(
        "公用部位设施设备检查",
        forms.HazardForm,
        lambda a, e, d: services.hazard_record(actor=a, estate=e, **d),
    ),
    "confined": RecordKind(
        "有限空间作业",
        forms.ConfinedForm,
        lambda a, e, d: services.confined_work_record(actor=a, estate=e, **d),
        "有限空间作业须在作业前备案，并落实持证作业。",
    ),
    "fire": RecordKind(
        "消防设施检查和通道巡查",
        forms.FireCheckForm,
        lambda a, e, d: services.fire_check_record(actor=a, estate=e, **d),
    ),
    "fee": RecordKind(
        "收费标准调整",
        forms.FeeChangeForm,
        lambda a, e, d: services.fee_change_record(actor=a, estate=e, **d),
    ),
    "room": RecordKind(
        "物业服务用房", forms.RoomForm, lambda a, e, d: services.room_record(actor=a, estate=e, **d)
    ),
}


@dataclass(frozen=True)
class ResolveKind:
    label: str
    model: type[models.Model]
    form: type[forms.forms.Form]
    save: Callable[[Any, Any, dict[str, Any]], Any]


RESOLVE: dict[str, ResolveKind] = {
    "hazard": ResolveKind(
        "隐患处理",
        HazardCheck,
        forms.HazardFixForm,
        lambda a, o, d: services.hazard_fix(actor=a, hazard=o, **d),
    ),
    "fire": ResolveKind(
        "消防问题处置",
        FireCheck,
        forms.FireFixForm,
        lambda a, o, d: services.fire_check_fix(actor=a, check=o, **d),
    ),
    "violation": ResolveKind(
        "装修违规行为处置",
        RenovationViolation,
        forms.ViolationActForm,
        lambda a, o, d: services.violation_act(actor=a, violation=o, **d),
    ),
    "confined": ResolveKind(
        "有限空间作业备案",
        ConfinedSpaceWork,
        forms.ConfinedFileForm,
        lambda a, o, d: services.confined_work_file(actor=a, work=o, **d),
    ),
}


def _estate(request: AuthedHttpRequest, code: str) -> Estate:
    estate = selectors.estates_for(request.user).filter(code=code).first()
    if estate is None:
        raise Http404("没有找到该小区，或您无权查看")
    return estate


@role_required(*REVIEW_ROLES)
def home(request: AuthedHttpRequest) -> HttpResponse:
    """The county's readiness by town and estate (county roles), or the company's own estates."""
    user = request.user
    qs = selectors.estates_for(user)
    town = request.GET.get("town") or ""
    all_rows = selectors.readiness(qs)
    rows = [r for r in all_rows if not town.isdecimal() or r.estate.town_id == int(town)]
    return render(
        request,
        "duties/home.html",
        {
            "rows": rows,
            "by_town": selectors.readiness_by_town(all_rows) if user.role in COUNTY_READ_ROLES else [],
            "by_company": selectors.readiness_by_company(all_rows) if user.role in COUNTY_READ_ROLES else [],
            "towns": towns(request.user),
            "town": town,
            "is_company": user.role == Role.COMPANY_STAFF,
        },
    )


@role_required(*REVIEW_ROLES)
def company(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One company's estates with their readiness (a company sees only its own)."""
    user = request.user
    if user.role == Role.COMPANY_STAFF and user.company_id != pk:
        raise Http404("没有找到该企业，或您无权查看")
    firm = get_object_or_404(companies_visible_to(user), pk=pk)
    rows = selectors.readiness_of_company(firm)
    return render(request, "duties/company.html", {"company": firm, "rows": rows})


@role_required(*REVIEW_ROLES)
def estate(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = _estate(request, code)
    (row,) = selectors.readiness([est])
    return render(
        request,
        "duties/estate.html",
        {
            "estate": est,
            "row": row,
            "kinds": KINDS,
            "is_company": request.user.role == Role.COMPANY_STAFF,
            **selectors.estate_records(est),
        },
    )


def _form_page(
    request: AuthedHttpRequest, form: Any, title: str, *, back: str, intro: str = ""
) -> HttpResponse:
    return render(request, "duties/form.html", {"form": form, "title": title, "back": back, "intro": intro})


@role_required(Role.COMPANY_STAFF)
def record_create(request: AuthedHttpRequest, code: str, kind: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("没有这类台账")
    est = _estate(request, code)
    extra = {"estate": est} if kind == "violation" else {}
    form_class: Any = spec.form  # the violation form also takes the estate (its renovations)
    form = form_class(request.POST or None, **extra)
    back = reverse("duties:estate", kwargs={"code": est.code})
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(request.user, est, form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存{spec.label}。")
            return redirect(back)
    return _form_page(request, form, f"{est.name}：{spec.label}", back=back, intro=spec.intro)


@role_required(Role.COMPANY_STAFF)
def record_resolve(request: AuthedHttpRequest, code: str, kind: str, pk: int) -> HttpResponse:
    spec = RESOLVE.get(kind)
    if spec is None:
        raise Http404("没有这类台账")
    est = _estate(request, code)
    obj = get_object_or_404(spec.model, pk=pk, estate=est)
    form = spec.form(request.POST or None)
    back = reverse("duties:estate", kwargs={"code": est.code})
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(request.user, obj, form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存{spec.label}。")
            return redirect(back)
    return _form_page(request, form, f"{est.name}：{spec.label}", back=back)


@role_required(Role.COMPANY_STAFF)
def supplies_import(request: AuthedHttpRequest) -> HttpResponse:
    """Emergency supplies of all the company's estates from one .xlsx; refused rows listed by row and column."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.supplies_import(actor=request.user, data=form.cleaned_data["file"].read())
        except DomainError as exc:
            form_add_domain_error(form, exc)
    return render(
        request,
        "duties/import.html",
        {"form": form, "result": result, "columns": services.SUPPLY_COLUMNS.values()},
    )
