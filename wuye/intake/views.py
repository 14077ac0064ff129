"""Resident pages (扫码即办, /track/) and staff pages (desk entry, 12345 import, estates to confirm)."""

import logging
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES
from wuye.accounts.permissions import role_required
from wuye.common.errors import DomainError
from wuye.common.files import signed_redirect
from wuye.common.forms import form_add_domain_error
from wuye.common.middleware import BUSY_MESSAGE, DB_UNAVAILABLE, retry_after
from wuye.kernel.actors import PublicActor
from wuye.kernel.http import AuthedHttpRequest
from wuye.kernel.taxonomy import PLAIN_HINTS
from wuye.registry.selectors import estate_in_counties_of, estates_visible_to, towns

from . import selectors, services
from .forms import DeskForm, ImportForm, JoinForm, NotFixedForm, QrForm, QrStartForm, RateForm, TrackForm
from .hotline import hotline_import
from .models import Inspection, Lead
from .photos import process_photos, thumbnail
from .ports import case_side
from .ratelimit import rate_limited

logger = logging.getLogger("wuye.intake")
QR = PublicActor("qr")
TRACK = PublicActor("track")


def _new_key() -> str:
    return uuid.uuid4().hex


# --- 扫码即办 ---------------------------------------------------------------------------------------------


@rate_limited("qr_view", methods=("GET",))
@require_http_methods(["GET", "POST"])
def qr_form(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1 (what happened) and step 2 (photos, contact, look-alikes) are both POSTs: the complaint text never
    travels in a URL (server logs, browser history, a shared WeChat link). A GET shows an empty step 1 whatever
    its query string says (`?direct=1` opens step 2 empty)."""
    estate = selectors.estate_for_qr(code)
    request.wuye_county = estate.town.county  # type: ignore[attr-defined]  # its bureau name and hotline
    if request.method == "POST":
        if request.POST.get("step") == "start":
            return _qr_start(request, estate)
        return _qr_submit(request, estate)
    ctx: dict[str, Any] = {"estate": estate, "hints": PLAIN_HINTS}
    if request.GET.get("direct"):
        ctx.update(form=QrForm(initial={"idem": _new_key()}), step=2, similar=[])
    else:
        ctx.update(form=QrStartForm(), step=1)
    return render(request, "intake/qr_form.html", ctx)


@rate_limited("qr_view", methods=("POST",))
def _qr_start(request: HttpRequest, estate: Any) -> HttpResponse:
    ctx: dict[str, Any] = {"estate": estate, "hints": PLAIN_HINTS}
    start = QrStartForm(request.POST)
    if not start.is_valid():
        ctx.update(form=start, step=1)
        return render(request, "intake/qr_form.html", ctx, status=400)
    d = start.cleaned_data
    ctx.update(
        form=QrForm(initial={"text": d["text"], "category": d["category"], "idem": _new_key()}),
        step=2,
        similar=selectors.similar_cases(estate=estate, text=d["text"], category=d["category"]),
    )
    return render(request, "intake/qr_form.html", ctx)


@rate_limited("qr_submit", methods=("POST",))
def _qr_submit(request: HttpRequest, estate: Any) -> HttpResponse:
    ctx: dict[str, Any] = {"estate": estate, "hints": PLAIN_HINTS}
    form = QrForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            photos = process_photos(request.FILES.getlist("photos"))
            result = services.qr_submit(
                actor=QR,
                estate=estate,
                text=d["text"],
                category_hint=d["category"],
                photos=photos,
                name=d["name"],
                phone=d["phone"],
                anonymous=d["anonymous"],
                idem_key=d["idem"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        except DB_UNAVAILABLE:
            # the database went away mid-submit: give the resident their text back with the same key, so
            # their retry stores it once whether or not this attempt was committed
            logger.exception("qr_form: database unavailable, form re-rendered for a retry")
            form.add_error(None, f"{BUSY_MESSAGE}。您填写的内容已保留，请稍后再点“提交”（照片需重新选择）。")
            ctx.update(form=form, step=2, similar=[])
            response = render(request, "intake/qr_form.html", ctx, status=503)
            response["Retry-After"] = str(retry_after())
            return response
        else:
            return redirect(reverse("intake:track_code", args=[result.lead.tracking_code]) + "?new=1")
    ctx.update(form=form, step=2, similar=[])
    return render(request, "intake/qr_form.html", ctx, status=400)


@rate_limited("qr_submit", methods=("POST",))
@require_POST
def qr_join(request: HttpRequest, code: str) -> HttpResponse:
    """ "是同一个问题": the step-2 form sent here (its second button) with the case number. The resident's own
    text, photos and contact are kept: they become one more report of that case."""
    estate = selectors.estate_for_qr(code)
    form = JoinForm(request.POST, request.FILES)
    if not form.is_valid():
        ctx: dict[str, Any] = {"estate": estate, "hints": PLAIN_HINTS, "form": form, "step": 2}
        ctx["similar"] = []
        return render(request, "intake/qr_form.html", ctx, status=400)
    d = form.cleaned_data
    case = case_side().case_of_estate(estate, d["case"])
    if case is None:
        raise Http404("没有找到该问题")
    try:
        photos = process_photos(request.FILES.getlist("photos"))
        result = services.qr_join_case(
            actor=QR,
            estate=estate,
            case=case,
            text=d["text"],
            category_hint=d["category"],
            photos=photos,
            name=d["name"],
            phone=d["phone"],
            anonymous=d["anonymous"],
            idem_key=d["idem"],
        )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return render(
            request,
            "intake/qr_form.html",
            {"estate": estate, "step": 2, "form": form, "similar": [], "hints": PLAIN_HINTS},
            status=400,
        )
    return redirect(reverse("intake:track_code", args=[result.lead.tracking_code]) + "?new=1&joined=1")


# --- tracking ----------------------------------------------------------------------------------------------


@rate_limited("track", methods=("GET",))
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        lead = selectors.lead_for_tracking(form.cleaned_data["code"])
        if lead is not None:
            return redirect("intake:track_code", code=lead.tracking_code)
        form.add_error("code", "没有找到这个查询码，请核对后重新输入（字母不区分大小写）")
    return render(request, "intake/track.html", {"form": form}, status=404 if form.errors else 200)


def _track_context(lead: Lead, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    status = selectors.public_status(lead)
    fb = selectors.track_feedback(lead)
    ctx = {
        "lead": lead,
        "status": status,
        "feedback": fb,
        "text": selectors.public_text(lead),
        "new": request.GET.get("new") == "1",
        "joined": request.GET.get("joined") == "1",
        "rate_form": RateForm(),
        "not_fixed_form": NotFixedForm(),
    }
    ctx.update(extra)
    return ctx


@rate_limited("track", methods=("GET",))
def track_code(request: HttpRequest, code: str) -> HttpResponse:
    lead = selectors.lead_for_tracking(code)
    if lead is None:
        raise Http404("没有找到这个查询码")
    return render(request, "intake/track_detail.html", _track_context(lead, request))


@rate_limited("feedback", methods=("POST",))
@require_POST
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    lead = selectors.lead_for_tracking(code)
    if lead is None:
        raise Http404("没有找到这个查询码")
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_rate(
                actor=TRACK,
                lead=lead,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "感谢您的评价！")
            return redirect("intake:track_code", code=lead.tracking_code)
    return render(
        request, "intake/track_detail.html", _track_context(lead, request, rate_form=form), status=400
    )


@rate_limited("feedback", methods=("POST",))
@require_POST
def track_not_fixed(request: HttpRequest, code: str) -> HttpResponse:
    lead = selectors.lead_for_tracking(code)
    if lead is None:
        raise Http404("没有找到这个查询码")
    form = NotFixedForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_not_fixed(actor=TRACK, lead=lead, comment=form.cleaned_data["comment"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已收到：问题没有解决。专班将重新核查，请留意办理进度。")
            return redirect("intake:track_code", code=lead.tracking_code)
    return render(
        request, "intake/track_detail.html", _track_context(lead, request, not_fixed_form=form), status=400
    )


# --- residents' photos, for staff ----------------------------------------------------------------------------

THUMB_EDGE = 240


@role_required(*selectors.PHOTO_ROLES)
def lead_photo(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A resident's photo (full size, or `?thumb=1` for the card), never a public media URL: only for a viewer who
    may see the lead it belongs to (the bureau; the company of the case), else 404."""
    att = get_object_or_404(selectors.lead_photos_visible_to(request.user), pk=pk)
    thumb = request.GET.get("thumb") == "1"
    if not thumb and (signed := signed_redirect(att.file, filename="photo.jpg", content_type="image/jpeg")):
        return signed  # a bucket: the full photo from a short-lived signed URL
    with att.file.open("rb") as fh:
        data = fh.read()
    if thumb:
        data = thumbnail(data, THUMB_EDGE)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- staff -------------------------------------------------------------------------------------------------


@role_required(*BUREAU_ROLES)
def desk(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeskForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                estate = selectors.estate_from_input(d["estate"])
                result = services.desk_create(
                    actor=request.user,
                    channel=d["channel"],
                    text=d["text"],
                    estate=estate,
                    address=d["address"],
                    category_hint=d["category"],
                    name=d["name"],
                    phone=d["phone"],
                    anonymous=d["anonymous"],
                    received_at=d["received_at"],
                    idem_key=d["idem"],
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                lead = result.lead
                where = lead.estate.name if lead.estate else "小区待确认"
                messages.success(
                    request, f"已录入（{lead.get_channel_display()}，{where}），查询码 {lead.tracking_code}"
                )
                return redirect(f"{reverse('intake:desk')}?channel={d['channel']}")
        status = 400
    else:
        form = DeskForm(initial={"channel": request.GET.get("channel") or "phone", "idem": _new_key()})
        status = 200
    return render(
        request,
        "intake/desk.html",
        {"form": form, "estates": selectors.estate_choices(request.user)},
        status=status,
    )


@role_required(*BUREAU_ROLES)
def import_12345(request: AuthedHttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = hotline_import(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name or "",
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
    else:
        form = ImportForm()
    return render(
        request,
        "intake/import_12345.html",
        {"form": form, "report": report},
        status=400 if form.errors else 200,
    )


@role_required(*BUREAU_ROLES)
def confirm_estates(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        lead_id = request.POST.get("lead", "")
        if not lead_id.isdigit():
            raise Http404("没有找到该线索")
        lead = get_object_or_404(selectors.leads_to_confirm(request.user), pk=int(lead_id))
        try:
            estate = selectors.estate_from_input(request.POST.get("estate", ""))
            if estate is None:
                raise DomainError("请选择小区", field="estate")
            services.lead_estate_assign(actor=request.user, lead=lead, estate=estate)
        except DomainError as exc:
            messages.error(request, f"{lead.tracking_code}：{exc}")
        else:
            messages.success(request, f"{lead.tracking_code} 已确认为 {estate.name}")
        return redirect("intake:confirm_estates")
    leads = selectors.leads_to_confirm(request.user)[:200]
    return render(
        request,
        "intake/confirm_estates.html",
        {"leads": leads, "estates": selectors.estate_choices(request.user), "now": timezone.now()},
    )


# --- posters -----------------------------------------------------------------------------------------------


@rate_limited("qr_view", methods=("GET",))
def qr_poster(request: HttpRequest, code: str) -> HttpResponse:
    from .posters import poster_pdf

    estate = selectors.estate_for_qr(code)
    response = HttpResponse(poster_pdf(estate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{estate.code}.pdf"'
    return response


@role_required(*BUREAU_ROLES)
def posters(request: AuthedHttpRequest) -> HttpResponse:
    mine = towns(request.user).prefetch_related("estates")
    return render(request, "intake/posters.html", {"towns": mine})


@role_required(*BUREAU_ROLES)
def town_posters(request: AuthedHttpRequest, town_code: str) -> HttpResponse:
    from .posters import town_posters_zip

    town = get_object_or_404(towns(request.user), code=town_code)
    data, _ = town_posters_zip(town)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="posters-{town.code}.zip"'
    return response


# --- inspections and questionnaires ----------------------------------------------------------------------


@role_required(*BUREAU_ROLES)
def inspections(request: AuthedHttpRequest) -> HttpResponse:
    estate_input = request.GET.get("estate", "").strip()
    if estate_input:
        try:
            estate = selectors.estate_from_input(estate_input)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if estate is not None:
                return redirect("intake:inspection_new", code=estate.code)
    recent = (
        Inspection.objects.filter(estate_in_counties_of(request.user))
        .select_related("estate", "inspector")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "intake/inspections.html",
        {"recent": recent, "estates": selectors.estate_choices(request.user)},
    )


@role_required(*BUREAU_ROLES)
def inspection_new(request: AuthedHttpRequest, code: str) -> HttpResponse:
    estate = selectors.estate_for_qr(code)
    if not estates_visible_to(request.user).filter(pk=estate.pk).exists():
        raise Http404("没有找到该小区，或您无权查看")
    checklist = selectors.inspection_checklist("routine")
    error: str | None = None
    posted: dict[str, Any] = {}
    if request.method == "POST":
        results, photos = {}, {}
        try:
            for item in checklist["items"]:
                c = item["code"]
                results[c] = {
                    "result": request.POST.get(f"result_{c}", ""),
                    "note": request.POST.get(f"note_{c}", ""),
                }
                files = request.FILES.getlist(f"photos_{c}")
                if files:
                    photos[c] = process_photos(files, field=item["text"])
            inspection = services.inspection_submit(
                actor=request.user,
                estate=estate,
                results=results,
                photos=photos,
                notes=request.POST.get("notes", ""),
            )
        except DomainError as exc:
            error, posted = str(exc), request.POST
        else:
            messages.success(request, f"检查记录已保存，{inspection.failed_count} 项不合格已生成问题线索")
            return redirect("intake:inspection_detail", pk=inspection.pk)
    items = [
        {**i, "result": posted.get(f"result_{i['code']}", ""), "note": posted.get(f"note_{i['code']}", "")}
        for i in checklist["items"]
    ]
    return render(
        request,
        "intake/inspection_form.html",
        {
            "estate": estate,
            "checklist": checklist,
            "items": items,
            "error": error,
            "notes": posted.get("notes", ""),
        },
        status=400 if error else 200,
    )


@role_required(*BUREAU_ROLES)
def inspection_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.filter(estate_in_counties_of(request.user)).select_related("estate", "inspector"),
        pk=pk,
    )
    checklist = selectors.inspection_checklist(inspection.checklist)
    rows = [{**i, **inspection.results.get(i["code"], {})} for i in checklist["items"]]
    leads = Lead.objects.filter(source_ref__startswith=f"inspection:{inspection.pk}:").order_by("id")
    return render(
        request,
        "intake/inspection_detail.html",
        {"inspection": inspection, "rows": rows, "leads": leads, "labels": services.INSPECTION_RESULTS},
    )


@rate_limited("qr_submit", methods=("POST",))
def survey(request: HttpRequest, code: str) -> HttpResponse:
    estate = selectors.estate_for_qr(code)
    q = selectors.questionnaire("satisfaction")
    error: str | None = None
    posted: dict[str, Any] = {}
    if request.method == "POST":
        actor = request.user if request.user.is_authenticated else QR
        try:
            services.questionnaire_submit(
                actor=actor,
                estate=estate,
                answers={x["code"]: request.POST.get(f"q_{x['code']}") for x in q["questions"]},
                comment=request.POST.get("comment", ""),
                problem=request.POST.get("problem", ""),
                idem_key=request.POST.get("idem", ""),
            )
        except DomainError as exc:
            error, posted = str(exc), request.POST
        else:
            return render(request, "intake/survey_done.html", {"estate": estate})
    questions = [{**x, "value": posted.get(f"q_{x['code']}", "")} for x in q["questions"]]
    return render(
        request,
        "intake/survey.html",
        {
            "estate": estate,
            "q": q,
            "questions": questions,
            "error": error,
            "idem": posted.get("idem") or _new_key(),
            "comment": posted.get("comment", ""),
            "problem": posted.get("problem", ""),
            "scores": [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")],
        },
        status=400 if error else 200,
    )


@role_required(*COUNTY_READ_ROLES)
def questionnaire_results(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/questionnaire_results.html",
        {
            "by_estate": selectors.questionnaire_results(request.user, by="estate"),
            "by_company": selectors.questionnaire_results(request.user, by="company"),
            "feedback_by_company": selectors.feedback_by_company(request.user),
        },
    )
