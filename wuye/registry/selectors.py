"""Reads of the registry, scoped by role (§1). Views never query these models directly.

The one scoping rule of the platform lives here: `contracts_in_force` says which contracts bind their company
today, and `estates_served_by(company)` — built on it — says which estates a company serves. Every app (cases,
revenue, the registry's own pages) asks these two, never `ServiceContract.is_current` directly.

Whether a contract binds is derived from its dates alone: `is_current` is only the registry's bookkeeping of
the estate's latest registered contract (one per estate, the database holds it); nothing reads it for access
or display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from wuye.common.dates import cn_date, today
from wuye.kernel.actors import Actor
from wuye.kernel.conf import county_setting
from wuye.kernel.roles import BUREAU_ROLES, COUNTY_READ_ROLES, Role

from .models import (
    Building,
    Committee,
    County,
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


def contract_grace() -> dt.timedelta:
    return dt.timedelta(days=county_setting("CONTRACT_GRACE_DAYS"))


def contracts_in_force(*, on: dt.date | None = None) -> QuerySet[ServiceContract]:
    """Contracts under which a company serves its estate on `on` (default today), from the dates alone: started,
    not past their end date by more than CONTRACT_GRACE_DAYS (the company stays until the handover), and not
    followed by a later contract of the estate that has started. The registry's manual `is_current` flag kept
    contracts that ended years ago binding; it plays no part here."""
    day = on or today()
    still_bound_since = day - contract_grace()
    successor = ServiceContract.objects.filter(
        estate=OuterRef("estate"), start__gt=OuterRef("start"), start__lte=day
    )
    return (
        ServiceContract.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=still_bound_since))
        .filter(~Exists(successor))
    )


def contracts_ended_without_successor(*, on: dt.date | None = None) -> QuerySet[ServiceContract]:
    """Contracts past their end date and the grace period with no later contract of the estate registered: the
    company has no contract but nobody has replaced it (the estate's exit and handover are due)."""
    day = on or today()
    later = ServiceContract.objects.filter(estate=OuterRef("estate"), start__gt=OuterRef("start"))
    return ServiceContract.objects.filter(end__lt=day - contract_grace()).filter(~Exists(later))


@dataclass(frozen=True)
class ContractRow:
    """A contract with its state in words, derived from the dates (已到期 once the end date has passed)."""

    contract: ServiceContract
    in_force: bool
    expired: bool
    label: str


def contract_row(contract: ServiceContract, *, in_force: bool, on: dt.date | None = None) -> ContractRow:
    day = on or today()
    expired = contract.end is not None and contract.end < day
    if contract.start > day:
        label = "未生效"
    elif in_force and expired:
        assert contract.end is not None
        label = f"已到期（过渡期至{cn_date(contract.end + contract_grace())}）"
    elif in_force:
        label = "履行中"
    elif expired:
        label = "已到期"
    else:
        label = "已由新合同接替"
    return ContractRow(contract=contract, in_force=in_force, expired=expired, label=label)


def contract_rows(contracts: QuerySet[ServiceContract]) -> list[ContractRow]:
    """The contracts (newest first) with their state; two queries."""
    in_force = set(contracts_in_force().filter(pk__in=contracts.values("pk")).values_list("pk", flat=True))
    return [
        contract_row(c, in_force=c.pk in in_force)
        for c in contracts.select_related("estate", "company").order_by("-start", "-pk")
    ]


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


# --- the one scoping rule for whole counties ------------------------------------------------------------------
#
# A bureau user (office head, task force) reads and writes their own county; a city viewer reads the counties of
# its city; the province viewer reads every county. Every selector that used to return "all of the county" for
# COUNTY_READ_ROLES filters with `in_counties_of(user, path)` instead, `path` leading from its model to County.


def counties_visible_to(user: Any) -> QuerySet[County]:
    """The counties whose records a user reads as a whole (none for companies, committees and owners: they see
    their estates, not counties)."""
    qs = County.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(in_counties_of(user, ""))


def in_counties_of(user: Any, path: str) -> Q:
    """A filter on any model whose `path` leads to a County (e.g. "estate__town__county"; "" for County itself)
    keeping the rows of the user's counties: Q() for the province viewer, nothing for roles that read no county."""
    role = getattr(user, "role", None)
    prefix = f"{path}__" if path else ""
    if role == Role.PROVINCE_VIEWER:
        return Q()
    if role in BUREAU_ROLES and getattr(user, "county_id", None):
        return Q(**{f"{prefix}pk" if not path else f"{path}_id": user.county_id})
    if role == Role.CITY_VIEWER and getattr(user, "city_id", None):
        return Q(**{f"{prefix}city_id": user.city_id})
    return Q(pk__in=[])


def estate_in_counties_of(user: Any, path: str = "estate") -> Q:
    """`in_counties_of` for a model with an estate at `path` ("" for Estate itself)."""
    return in_counties_of(user, f"{path}__town__county" if path else "town__county")


def estate_setting(key: str, estate: Estate | int | None) -> Any:
    """A declared setting as it applies to an estate: its county's override, else the deployment's. No query when
    the estate was loaded with `select_related("town__county")` (checks over many estates do)."""
    return county_setting(key, estate_county(estate))


def setting_range(key: str) -> tuple[Any, Any]:
    """The smallest and largest value a setting takes in any county (the deployment's when there is none): the
    bound a check filters its rows by in SQL before it applies each estate's own value."""
    values = [county_setting(key, c) for c in County.objects.only("pk", "settings")] or [county_setting(key)]
    return min(values), max(values)


def estate_county(estate: Estate | int | None) -> County | None:
    """The county of an estate (or estate id): whose settings apply to it (`county_setting(key, county)`)."""
    if estate is None:
        return None
    if isinstance(estate, Estate):
        town = estate._state.fields_cache.get("town")
        if town is not None and "county" in town._state.fields_cache:
            county: County | None = town.county
            return county
        estate = estate.pk
    return County.objects.filter(towns__estates=estate).first()


def viewer_towns(user: Any) -> tuple[int, ...] | None:
    """The towns of the user's counties, for the summary tables keyed by town (dashboards, reports); None for the
    province viewer (every town)."""
    if getattr(user, "role", None) == Role.PROVINCE_VIEWER:
        return None
    return tuple(Town.objects.filter(in_counties_of(user, "county")).values_list("pk", flat=True))


def bureau_county_id(actor: Actor) -> int | None:
    """The county a bureau user works in (their desk: what they enter and import is that county's); None for
    anyone else, the system and the public."""
    return getattr(actor, "county_id", None) if getattr(actor, "role", None) in BUREAU_ROLES else None


def bureau_acts_on_estate(actor: Actor, estate_id: int | None) -> bool:
    """Writes: a bureau user acts only on estates of their own county (others are not bureau users: True, their
    own rules apply)."""
    if getattr(actor, "role", None) not in BUREAU_ROLES:
        return True
    county_id = bureau_county_id(actor)
    if not county_id or estate_id is None:
        return False
    return Estate.objects.filter(pk=estate_id, town__county_id=county_id).exists()


def estates_visible_to(user: User) -> QuerySet[Estate]:
    """Estates a user may see: their counties for bureau, city and province (`in_counties_of`); the estates the
    company serves; the committee's estate; an owner's estates."""
    qs = Estate.objects.select_related("town")
    if not user.is_authenticated:
        return qs.none()
    role = user.role
    if role in COUNTY_READ_ROLES:
        return qs.filter(estate_in_counties_of(user, ""))
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
    return Estate.objects.select_related("town").filter(estate_in_counties_of(user, ""))


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
    day = today()
    current = contracts_in_force(on=day).filter(estate=OuterRef("pk"))
    latest = ServiceContract.objects.filter(estate=OuterRef("pk")).order_by("-start", "-pk")
    return (
        qs.annotate(unit_count=Count("units", distinct=True))
        .annotate(
            current_company=current.values("company__name")[:1],
            contract_expired=Exists(current.filter(end__lt=day)),
            last_company=latest.values("company__name")[:1],
        )
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
    """The contract in force today (dates and grace period), if any."""
    return contracts_in_force().filter(estate=estate).select_related("company").first()


def estate_current_committee(estate: Estate) -> Committee | None:
    return estate.committees.filter(is_current=True).prefetch_related("members").first()


def estate_contract_rows(estate: Estate) -> list[ContractRow]:
    """Every contract of the estate, newest first, with its state (履行中 / 已到期 …)."""
    return contract_rows(ServiceContract.objects.filter(estate=estate))


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
    """A bureau edits the companies its county sees (registered there, or serving or having served an estate
    there): a company's register entry is one for the province."""
    if not user.is_authenticated or user.role not in BUREAU_ROLES:
        return PropertyCompany.objects.none()
    return companies_visible_to(user)


def company_estates(user: User, company: PropertyCompany) -> QuerySet[Estate]:
    """The estates the company serves today, as far as the user may see them."""
    return estates_visible_to(user).filter(pk__in=estates_served_by(company.pk).values("pk"))


def company_contract_rows(user: User, company: PropertyCompany) -> list[ContractRow]:
    """The company's contracts (newest first) with their state, for those who may see the company; the estate is
    linked only where the user may see it."""
    if not companies_visible_to(user).filter(pk=company.pk).exists():
        return []
    return contract_rows(ServiceContract.objects.filter(company=company))


def estate_codes_visible_to(user: User, estate_ids: list[int]) -> set[str]:
    return set(estates_visible_to(user).filter(pk__in=estate_ids).values_list("code", flat=True))


def companies_visible_to(user: User) -> QuerySet[PropertyCompany]:
    qs = PropertyCompany.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role in COUNTY_READ_ROLES:
        return qs.filter(company_in_counties_of(user, ""))
    if user.role == Role.COMPANY_STAFF and user.company_id is not None:
        return qs.filter(pk=user.company_id)
    return qs.none()


def company_in_counties_of(user: Any, path: str = "company") -> Q:
    """A company belongs to the counties where it was registered and where it serves or served an estate (any
    contract, past or present): a filter on a model whose `path` leads to a company ("" for the company)."""
    if getattr(user, "role", None) == Role.PROVINCE_VIEWER:
        return Q()
    counties = counties_visible_to(user)
    pk = f"{path}_id" if path else "pk"
    served = ServiceContract.objects.filter(estate__town__county__in=counties).values("company_id")
    registered = f"{path}__registered_county__in" if path else "registered_county__in"
    return Q(**{registered: counties}) | Q(**{f"{pk}__in": served})


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


def towns(user: Any = None) -> QuerySet[Town]:
    """The towns (of the user's counties when a user is given)."""
    qs = Town.objects.order_by("code")
    if user is not None:
        qs = qs.filter(in_counties_of(user, "county"))
    return qs


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
