"""Reads of the registry, scoped by role (§1). Views never query these models directly."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from wuye.accounts.models import COUNTY_READ_ROLES, Role, User

from .models import Committee, Estate, PropertyCompany, ServiceContract, Town, Unit


def estates_visible_to(user: User) -> QuerySet[Estate]:
    """Estates a user may see: the county for bureau and city; the company's current contracts; the committee's
    estate; an owner's estates."""
    qs = Estate.objects.select_related("town")
    if not user.is_authenticated:
        return qs.none()
    role = user.role
    if role in COUNTY_READ_ROLES:
        return qs
    if role == Role.COMPANY_STAFF:
        current = ServiceContract.objects.filter(
            estate=OuterRef("pk"), company_id=user.company_id, is_current=True
        )
        return qs.filter(Exists(current))
    if role == Role.COMMITTEE_MEMBER:
        return qs.filter(pk=user.estate_id)
    if role == Role.OWNER:
        return qs.filter(units__ownerships__owner_id=user.owner_id).distinct()
    return qs.none()


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


def companies_visible_to(user: User) -> QuerySet[PropertyCompany]:
    qs = PropertyCompany.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role in COUNTY_READ_ROLES:
        return qs
    if user.role == Role.COMPANY_STAFF:
        return qs.filter(pk=user.company_id)
    return qs.none()


def company_list(user: User) -> QuerySet[PropertyCompany]:
    return (
        companies_visible_to(user)
        .annotate(estate_count=Count("contracts", filter=Q(contracts__is_current=True), distinct=True))
        .order_by("name")
    )


def towns() -> QuerySet[Town]:
    return Town.objects.order_by("code")


def units_of_estate(estate: Estate) -> QuerySet[Unit]:
    return Unit.objects.filter(estate=estate).select_related("building").order_by("building__name", "number")


def units_with_owners(estate: Estate) -> QuerySet[Unit]:
    """Units with their ownerships (owner and designated-voter flag) in two queries."""
    from django.db.models import Prefetch

    from .models import Ownership

    return units_of_estate(estate).prefetch_related(
        Prefetch("ownerships", queryset=Ownership.objects.select_related("owner").order_by("pk"))
    )
