from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.common.permissions import role_required
from wuye.kernel.http import AuthedHttpRequest
from wuye.kernel.roles import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, VIEWER_ROLES, Role

from . import selectors, services
from .forms import CommitteeForm, CompanyForm, ContractEndForm, ContractForm, EstateForm, ImportForm
from .importer import import_registry
from .models import CommitteeMember

POSITIONS = {label: value for value, label in CommitteeMember.Position.choices}


@role_required(*STAFF_ROLES)
def estate_list(request: AuthedHttpRequest) -> HttpResponse:
    town_id = request.GET.get("town") or None
    q = request.GET.get("q", "")
    qs = selectors.estate_list(
        request.user, town_id=int(town_id) if town_id and town_id.isdigit() else None, q=q
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/estate_list.html",
        {"page": page, "towns": selectors.towns(request.user), "q": q, "town_id": town_id},
    )


@role_required(*STAFF_ROLES)
def estate_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    estate = selectors.estate_get_visible(request.user, code=code)
    units = selectors.units_of_estate(estate)
    contracts = selectors.estate_contract_rows(estate)
    ctx = {
        "estate": estate,
        "contracts": contracts,
        "current": next((r for r in contracts if r.in_force), None),
        "committee": selectors.estate_current_committee(estate),
        "buildings": selectors.estate_buildings(estate),
        "unit_count": units.count(),
        "can_edit": request.user.role in BUREAU_ROLES,
    }
    return render(request, "registry/estate_detail.html", ctx)


@role_required(*STAFF_ROLES)
def estate_units(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Units with areas and owners; the city sees no names or phones (§1, §11)."""
    estate = selectors.estate_get_visible(request.user, code=code)
    building = request.GET.get("building", "")
    qs = selectors.units_with_owners(estate, building=building)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/estate_units.html",
        {
            "estate": estate,
            "page": page,
            "buildings": selectors.estate_buildings(estate),
            "building": building,
            "show_personal": request.user.role not in VIEWER_ROLES,
            "can_designate": request.user.role in {"bureau_admin", "task_force", "committee_member"},
        },
    )


@role_required("bureau_admin", "task_force", "committee_member")
def unit_designate_voter(request: AuthedHttpRequest, code: str, unit_id: int) -> HttpResponse:
    """The committee (or the bureau) records the co-owners' choice of the one who votes for the unit."""
    estate = selectors.estate_get_visible(request.user, code=code)
    unit = selectors.unit_of_estate(estate, pk=unit_id)
    if request.method == "POST":
        owner = selectors.unit_owner(unit, owner_id=request.POST.get("owner"))
        try:
            if owner is None:
                raise DomainError("请选择该房屋的一位业主作为投票人", field="owner")
            services.ownership_designate_voter(actor=request.user, unit=unit, owner=owner)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{unit.label} 的投票人已登记为 {owner.name}。")
    return redirect(f"{reverse('registry:estate_units', args=[estate.code])}?building={unit.building.name}")


@role_required(*BUREAU_ROLES)
def estate_edit(request: AuthedHttpRequest, code: str | None = None) -> HttpResponse:
    estate = get_object_or_404(selectors.estates_editable_by(request.user), code=code) if code else None
    initial = {}
    if estate:
        initial = {
            "town": estate.town_id,
            "code": estate.code,
            "name": estate.name,
            "aliases": estate.aliases,
            "address": estate.address,
            "developer": estate.developer,
            "built_year": estate.built_year,
        }
    form = EstateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            estate = services.estate_save(actor=request.user, estate=estate, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存小区“{estate.name}”。")
            return redirect("registry:estate_detail", code=estate.code)
    return render(
        request, "registry/form.html", {"form": form, "title": "编辑小区" if estate else "新增小区"}
    )


@role_required(*BUREAU_ROLES)
def contract_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    estate = get_object_or_404(selectors.estates_editable_by(request.user), code=code)
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_create(actor=request.user, estate=estate, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已登记物业服务合同。")
            return redirect("registry:estate_detail", code=estate.code)
    return render(request, "registry/form.html", {"form": form, "title": f"{estate.name} · 登记物业服务合同"})


@role_required(*BUREAU_ROLES)
def contract_end(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(selectors.contracts_editable_by(request.user), pk=pk)
    form = ContractEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_end(actor=request.user, contract=contract, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "合同已终止。")
            return redirect("registry:estate_detail", code=contract.estate.code)
    return render(request, "registry/form.html", {"form": form, "title": f"终止合同：{contract}"})


def _parse_members(text: str) -> list[dict[str, Any]]:
    members = []
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not parts or not parts[0]:
            continue
        position = (
            POSITIONS.get(parts[1], None) if len(parts) > 1 and parts[1] else CommitteeMember.Position.MEMBER
        )
        if position is None:
            raise DomainError(f"委员第 {line_no} 行的职务“{parts[1]}”应为主任、副主任或委员", field="members")
        members.append({"name": parts[0], "position": position, "phone": parts[2] if len(parts) > 2 else ""})
    return members


@role_required(*BUREAU_ROLES)
def committee_edit(request: AuthedHttpRequest, code: str) -> HttpResponse:
    estate = get_object_or_404(selectors.estates_editable_by(request.user), code=code)
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            members = _parse_members(data.pop("members"))
            services.committee_save(actor=request.user, estate=estate, members=members, **data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已保存业委会/物管会信息。")
            return redirect("registry:estate_detail", code=estate.code)
    return render(request, "registry/form.html", {"form": form, "title": f"{estate.name} · 业委会/物管会"})


@role_required(*COUNTY_READ_ROLES, Role.COMPANY_STAFF)
def company_list(request: AuthedHttpRequest) -> HttpResponse:
    companies = selectors.company_list(request.user)
    return render(
        request,
        "registry/company_list.html",
        {"companies": companies, "can_edit": request.user.role in BUREAU_ROLES},
    )


@role_required(*COUNTY_READ_ROLES, Role.COMPANY_STAFF)
def company_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(selectors.companies_visible_to(request.user), pk=pk)
    estates = selectors.company_estates(request.user, company)
    contracts = selectors.company_contract_rows(request.user, company)
    visible = selectors.estate_codes_visible_to(request.user, [r.contract.estate_id for r in contracts])
    return render(
        request,
        "registry/company_detail.html",
        {
            "company": company,
            "estates": estates,
            "expiring": [r for r in contracts if r.in_force and r.expired],
            "ended": [r for r in contracts if not r.in_force and r.expired],
            "visible_codes": visible,
            "can_edit": request.user.role in BUREAU_ROLES,
        },
    )


@role_required(*BUREAU_ROLES)
def company_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    company = get_object_or_404(selectors.companies_editable_by(request.user), pk=pk) if pk else None
    initial = {}
    if company:
        initial = {f: getattr(company, f) for f in services.COMPANY_FIELDS}
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_save(actor=request.user, company=company, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存企业“{company.name}”。")
            return redirect("registry:company_detail", pk=company.pk)
    return render(
        request, "registry/form.html", {"form": form, "title": "编辑企业" if company else "登记物业企业"}
    )


@role_required(*BUREAU_ROLES)
def registry_import(request: AuthedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_registry(actor=request.user, data=form.cleaned_data["file"].read())
        except DomainError as exc:
            form_add_domain_error(form, exc)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "registry/import.html", {"form": form, "result": result}, status=status)
