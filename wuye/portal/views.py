"""The home page (per role), the county web form for residents without a QR code, and the public estate list."""

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from wuye.accounts.models import Role
from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.intake.models import Channel
from wuye.intake.photos import process_photos
from wuye.intake.ratelimit import rate_limited
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor
from wuye.kernel.taxonomy import PLAIN_HINTS
from wuye.registry.models import Estate

from . import selectors
from .forms import WebReportForm
from .sections import estate_sections


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and user.role == Role.OWNER:
        return render(
            request,
            "portal/owner_home.html",
            {
                "leads": selectors.owner_leads(user),
                "estates": selectors.owner_estates(user),
                "assemblies": selectors.owner_assemblies(user),
            },
        )
    ctx = selectors.home_summary(user)
    return render(request, "portal/home.html", ctx)


def _report_page(
    request: HttpRequest, form: WebReportForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    ctx = {"form": form, "hints": PLAIN_HINTS, "estate_names": selectors.estate_names(), **extra}
    return render(request, "portal/report.html", ctx, status=status)


@rate_limited("qr_view", methods=("GET",))
@rate_limited("qr_submit", methods=("POST",))
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """我要反映问题 without a QR code: the resident names the estate (or says they don't know it)."""
    if request.method != "POST":
        return _report_page(request, WebReportForm(initial={"idem": uuid.uuid4().hex}))
    form = WebReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report_page(request, form, status=400)
    d = form.cleaned_data
    estate: Estate | None = None
    candidates: list[Estate] = []
    if not d["estate_unknown"]:
        estate, candidates = selectors.estate_for_report(
            text=d["estate"], code=d["estate_code"], town=d["town"]
        )
        if estate is None:
            form.add_error(
                "estate",
                "找到多个可能的小区，请在下面选择一个"
                if candidates
                else "没有找到这个小区，请换个写法（名称或拼音首字母），或勾选“不知道小区名称”",
            )
            return _report_page(request, form, status=400, candidates=candidates)
    actor = request.user if request.user.is_authenticated else PublicActor("web")
    try:
        photos = process_photos(request.FILES.getlist("photos"))
        result = qr_submit(
            actor=actor,
            estate=estate,  # type: ignore[arg-type]  # None: the task force confirms the estate
            text=d["text"],
            category_hint=d["category"],
            photos=photos,
            name=d["name"],
            phone=d["phone"],
            anonymous=d["anonymous"],
            idem_key=d["idem"],
            channel=Channel.WEB,
            address=d["address"],
            estate_needs_confirmation=estate is None,
            county=d["town"].county if estate is None and d["town"] else None,
        )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return _report_page(request, form, status=400)
    return redirect(reverse("intake:track_code", args=[result.lead.tracking_code]) + "?new=1")


def estates(request: HttpRequest) -> HttpResponse:
    """Every estate of the county, by town, with its published revenue disclosures and its QR form."""
    q = request.GET.get("q", "").strip()
    town_id = request.GET.get("town", "")
    town_id_int = int(town_id) if town_id.isdigit() else None
    page = Paginator(selectors.public_estates(town_id=town_id_int, q=q), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/estates.html",
        {"page": page, "q": q, "town_id": town_id_int, "towns": selectors.towns()},
    )


def estate(request: HttpRequest, code: str) -> HttpResponse:
    """An estate's public page (the QR poster links here): what the apps' sections let the public see."""
    found = get_object_or_404(Estate.objects.select_related("town__county"), code=code)
    request.wuye_county = found.town.county  # type: ignore[attr-defined]  # its bureau name and hotline
    return render(request, "portal/estate.html", {"estate": found, "sections": estate_sections(found)})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers (and WeChat's) ask for /favicon.ico whatever the page says."""
    return redirect(static("favicon.svg"), permanent=True)
