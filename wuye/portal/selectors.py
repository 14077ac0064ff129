"""The home page: what each role should see first; the public's estate list; an owner's own page.
Other apps add their own panels to `HOME_PANELS`."""

import importlib
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from wuye.accounts.models import Role
from wuye.registry.models import Estate, Town
from wuye.registry.selectors import estates_visible_to

# Each entry is "module:function" taking the user and returning a dict {title, items:[(label, value, url)]} or None.
HOME_PANELS: list[str] = [
    "wuye.cases.selectors:home_panel",
    "wuye.triage.selectors:home_panel",
    "wuye.revenue.selectors:home_panel",
    "wuye.voting.selectors:home_panel",
    "wuye.intake.selectors:home_panel",
    "wuye.oversight.selectors:home_panel",
]
OWNER_LEADS_SHOWN = 50


def _panels(user: Any) -> list[dict[str, Any]]:
    panels = []
    for ref in HOME_PANELS:
        module_name, func_name = ref.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        func = getattr(module, func_name, None)
        if func is None:
            continue
        panel = func(user)
        if panel:
            panels.append(panel)
    return panels


def home_summary(user: Any) -> dict[str, Any]:
    if not user.is_authenticated:
        return {"panels": [], "estate_count": None}
    return {"panels": _panels(user), "estate_count": estates_visible_to(user).count()}


# --- the public: estates and where to report -----------------------------------------------------------------


def _matching(q: str) -> Q:
    return Q(name__icontains=q) | Q(aliases__icontains=q) | Q(pinyin_initials__istartswith=q.lower())


def public_estates(*, town_id: int | None = None, q: str = "") -> QuerySet[Estate]:
    """Every estate of the county with its town and the count and date of its published revenue disclosures."""
    qs = Estate.objects.select_related("town").annotate(
        disclosure_count=Count("revenue_account__disclosures"),
        last_disclosed=Max("revenue_account__disclosures__published_at"),
    )
    if town_id:
        qs = qs.filter(town_id=town_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(_matching(q))
    return qs.order_by("town__code", "name")


def towns() -> QuerySet[Town]:
    return Town.objects.order_by("code")


def estate_names() -> list[tuple[str, str]]:
    """(name, "town · initials") of every estate, for the web form's suggestion list."""
    rows = Estate.objects.order_by("name").values_list("name", "town__name", "pinyin_initials")
    return [(name, f"{town} · {initials}" if initials else town) for name, town, initials in rows]


def estate_for_report(
    *, text: str, code: str = "", town: Town | None = None
) -> tuple[Estate | None, list[Estate]]:
    """What the resident typed, resolved: (the estate, []) when it is one estate; (None, candidates) when it
    could be several (they choose one); (None, []) when nothing matches."""
    if code:
        chosen = Estate.objects.select_related("town").filter(code=code).first()
        if chosen is not None:
            return chosen, []
    text = (text or "").strip()
    if not text:
        return None, []
    qs = Estate.objects.select_related("town").order_by("town__code", "name")
    if town is not None:
        qs = qs.filter(town=town)
    exact = list(qs.filter(name=text)[:2])
    if len(exact) == 1:
        return exact[0], []
    found = list(qs.filter(_matching(text))[:20])
    if len(found) == 1:
        return found[0], []
    return None, found


# --- an owner's own page (我的反映) ----------------------------------------------------------------------------


def owner_leads(user: Any) -> list[dict[str, Any]]:
    """The complaints this owner filed: logged in (the web form), or under the phone they log in with (the QR
    form, the hotline). Each with the status the complainant sees and the tracking code."""
    from wuye.intake.selectors import leads_visible_to, public_status

    if user.role != Role.OWNER:
        return []
    leads = leads_visible_to(user).select_related("case", "estate").order_by("-created_at", "-id")
    return [{"lead": lead, "status": public_status(lead)} for lead in leads[:OWNER_LEADS_SHOWN]]


def owner_estates(user: Any) -> list[Estate]:
    if user.role != Role.OWNER:
        return []
    from wuye.revenue.models import Disclosure

    latest = Disclosure.objects.filter(account__estate=OuterRef("pk")).order_by("-period_start", "-id")
    return list(
        estates_visible_to(user)
        .select_related("town")
        .annotate(
            disclosure_count=Count("revenue_account__disclosures"),
            last_disclosed=Max("revenue_account__disclosures__published_at"),
            last_period=Subquery(latest.values("period_key")[:1]),
        )
        .order_by("name")
    )


def owner_assemblies(user: Any) -> list[Any]:
    from wuye.voting.selectors import assembly_list

    return list(assembly_list(user)[:20]) if user.role == Role.OWNER else []
