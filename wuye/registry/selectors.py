"""Reads of the registry, scoped by role (§1). Views never query these models directly.

The one scoping rule of the platform lives here: `contracts_in_force` says which contracts bind their company
today, and `estates_served_by(company)` — built on it — says which estates a company serves. Every app (cases,
revenue, the registry's own pages) asks these two, never `ServiceContract.is_current` directly.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from wuye.common.dates import today
from wuye.kernel.conf import county_setting
from wuye.kernel.roles import BUREAU_ROLES, COUNTY_READ_ROLES, Role

from .models import (
    Building,
    Committee,
    Estate,
    Owner,
    Ownership,
    PropertyCompany,
    ServiceContract,
    Town,
    Unit,
)

if TYPE_CHECKING:
    from wuye.accounts.models import User


def contracts_in_force(*, on: dt.date | None = None) -> QuerySet[ServiceContract]:
    """Contracts under which a company serves its estate on `on` (default today): current in the registry (not
    ended by the bureau), started, and not past their end date by more than CONTRACT_GRACE_DAYS (the company stays
    until the handover). The registry's `is_current` alone kept contracts that ended years ago binding."""
    day = on or today()
    still_bound_since = day - dt.timedelta(days=county_setting("CONTRACT_GRACE_DAYS"))
    return ServiceContract.objects.filter(is_current=True, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=still_bound_since)
    )


def estates_served_by(company_id: int | None, *, on: dt.date | None = None) -> QuerySet[Estate]:
    """The estates a company serves today: the one answer every app's company scope is built on."""
    if not company_id:
        return Estate.objects.none()
    in_force = contracts_in_force(on=on).filter(estate=OuterRef("pk"), company_id=company_id)
    return Estate.objects.filter(Exists(in_force))


def company_serves_estate(
    company_id: int | None, estate_id: int | None, *, on: dt.date | None = None
) -> bool:
    if estate_id is None:
        return False
    return estates_served_by(company_id, on=on).filter(pk=estate_id).exists()


def estate_serving_company_id(estate_id: int, *, on: dt.date | None = None) -> int | None:
    """The company serving an estate today, if any (at most one: the registry holds one current contract)."""
    return contracts_in_force(on=on).filter(estate_id=estate_id).values_list("company_id", flat=True).first()


def estates_visible_to(user: User) -> QuerySet[Estate]:
    """Estates a user may see: the county for bureau and city; the estates the company serves; the committee's
    estate; an owner's estates."""
    qs = Estate.objects.select_related("town")
    if not user.is_authenticated:
        return qs.none()
    role = user.role
    if role in COUNTY_READ_ROLES:
        return qs
    if role == Role.COMPANY_STAFF:
        return qs.filter(pk__in=estates_served_by(user.company_id).values("pk"))
    if role == Role.COMMITTEE_MEMBER and user.estate_id is not None:
        return qs.filter(pk=user.estate_id)
    if role == Role.OWNER and user.owner_id is not None:
        return qs.filter(units__ownerships__owner_id=user.owner_id).distinct()
    return qs.none()


def estates_editable_by(user: User) -> QuerySet[Estate]:
    """Estates whose registry records (estate, contracts, committee) a user may change: the bureau's."""
    if not user.is_authenticated or user.role not in BUREAU_ROLES:
        return Estate.objects.none()
    return Estate.objects.select_related("town")


def estate_get_visible(user: User, *, code: str) -> Estate:
    """The estate with that code if the user may see it, else 404 (not 403: existence is not disclosed)."""
    estate = estates_visible_to(user).filter(code=code).first()
    if estate is None:
        raise Http404("没有找到该小区，或您无权查看")
    return estate


def estate_list(user: User, *, town_id: int | None = None, q: str = "") -> QuerySet[Estate]:
    qs = estates_visible_to(user)
    if town_id:
        qs = qs.filter(town_id=town_id)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(name__icontains=q) | Q(aliases__icontains=q) | Q(pinyin_initials__istartswith=q.lower())
        )
    current = ServiceContract.objects.filter(estate=OuterRef("pk"), is_current=True)
    return (
        qs.annotate(unit_count=Count("units", distinct=True))
        .annotate(current_company=current.values("company__name")[:1])
        .order_by("code")
    )


def estate_search_public(q: str, *, limit: int = 20) -> QuerySet[Estate]:
    """Name, alias or pinyin initials; used by desk staff and the resident pages (public data only)."""
    q = (q or "").strip()
    qs = Estate.objects.select_related("town")
    if not q:
        return qs.none()
    return qs.filter(
        Q(name__icontains=q) | Q(aliases__icontains=q) | Q(pinyin_initials__istartswith=q.lower())
    ).order_by("name")[:limit]


def estate_current_contract(estate: Estate) -> ServiceContract | None:
    return estate.contracts.filter(is_current=True).select_related("company").first()


def estate_current_committee(estate: Estate) -> Committee | None:
    return estate.committees.filter(is_current=True).prefetch_related("members").first()


def estate_past_contracts(estate: Estate) -> QuerySet[ServiceContract]:
    return estate.contracts.filter(is_current=False).select_related("company")


def estate_buildings(estate: Estate) -> QuerySet[Building]:
    return Building.objects.filter(estate=estate)


def unit_of_estate(estate: Estate, *, pk: int) -> Unit:
    """A unit of an estate the caller already may see, else 404."""
    return get_object_or_404(Unit.objects.filter(estate=estate).select_related("building"), pk=pk)


def unit_owner(unit: Unit, *, owner_id: str | int | None) -> Owner | None:
    """One of the unit's owners, or None when the id names nobody who owns it."""
    if not owner_id or not str(owner_id).isdigit():
        return None
    return unit.owners.filter(pk=int(owner_id)).first()


def contracts_editable_by(user: User) -> QuerySet[ServiceContract]:
    return ServiceContract.objects.filter(estate__in=estates_editable_by(user)).select_related(
        "estate", "company"
    )


def companies_editable_by(user: User) -> QuerySet[PropertyCompany]:
    if not user.is_authenticated or user.role not in BUREAU_ROLES:
        return PropertyCompany.objects.none()
    return PropertyCompany.objects.all()


def company_estates(user: User, company: PropertyCompany) -> QuerySet[Estate]:
    """The estates the company serves today, as far as the user may see them."""
    return estates_visible_to(user).filter(pk__in=estates_served_by(company.pk).values("pk"))


def companies_visible_to(user: User) -> QuerySet[PropertyCompany]:
    qs = PropertyCompany.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role in COUNTY_READ_ROLES:
        return qs
    if user.role == Role.COMPANY_STAFF and user.company_id is not None:
        return qs.filter(pk=user.company_id)
    return qs.none()


def company_list(user: User) -> QuerySet[PropertyCompany]:
    """Companies with the number of estates each serves today."""
    served = (
        contracts_in_force()
        .filter(company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("estate", distinct=True))
        .values("n")
    )
    return companies_visible_to(user).annotate(estate_count=Coalesce(Subquery(served), 0)).order_by("name")


def towns() -> QuerySet[Town]:
    return Town.objects.order_by("code")


def units_of_estate(estate: Estate) -> QuerySet[Unit]:
    return Unit.objects.filter(estate=estate).select_related("building").order_by("building__name", "number")


def units_with_owners(estate: Estate, *, building: str = "") -> QuerySet[Unit]:
    """Units (of one building, if named) with their ownerships (owner and designated-voter flag) in two queries."""
    qs = units_of_estate(estate)
    if building:
        qs = qs.filter(building__name=building)
    return qs.prefetch_related(
        Prefetch("ownerships", queryset=Ownership.objects.select_related("owner").order_by("pk"))
    )
