"""Credit pages: public (credit list, company page, 曝光台 and its feed, quarterly lists, notices) and the bureau's
(scores, dossier, rules, records, objections, consequences, notices)."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.views.decorators.http import require_POST

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, Role
from wuye.accounts.permissions import role_required
from wuye.common.dates import today
from wuye.common.dbrouter import reading_replica
from wuye.common.errors import DomainError
from wuye.common.files import serve_upload
from wuye.common.forms import form_add_domain_error
from wuye.common.xlsx import write_table
from wuye.kernel.conf import county_setting

from . import forms, selectors, services
from .models import CreditEvent, Notice, NoticeStatus
from .pdf import notice_pdf
from .rules import rule_in_force
from .scoring import explain, explain_all
from .types import LEVELS, type_label

OBJECTION_ROLES = (*COUNTY_READ_ROLES, Role.COMPANY_STAFF)


def _on(request: HttpRequest) -> dt.date:
    value = request.GET.get("on") or ""
    try:
        return dt.date.fromisoformat(value) if value else today()
    except ValueError:
        return today()


def _int(value: str | None) -> int | None:
    """A filter's id or year from the query string; anything else (letters, "²", a 20-digit number) is no filter."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


# --- public ------------------------------------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    on = today()
    return render(
        request,
        "credit/public_list.html",
        {"rows": explain_all(on=on), "on": on, "quarters": selectors.last_quarters()},
    )


def company_public(request: HttpRequest, credit_code: str) -> HttpResponse:
    company = selectors.company_by_code(credit_code)
    return render(
        request,
        "credit/company_public.html",
        {"ex": explain(company), "company": company, "disputed": selectors.disputed_events(company)},
    )


def red_black(request: HttpRequest, quarter: str) -> HttpResponse:
    year, q, end = selectors.quarter_of(quarter)
    red, black = selectors.red_black_lists(end)
    return render(
        request,
        "credit/red_black.html",
        {"year": year, "q": q, "end": end, "red": red, "black": black, "quarters": selectors.last_quarters()},
    )


def exposure(request: HttpRequest) -> HttpResponse:
    year, company = _int(request.GET.get("year")), _int(request.GET.get("company"))
    if year is not None and not 2000 <= year <= 2100:
        year = None
    items = selectors.exposure_items(year=year, company_id=company)[:500]
    return render(
        request,
        "credit/exposure.html",
        {
            "items": items,
            "years": selectors.exposure_years(),
            "companies": selectors.exposure_companies(),
            "year": year,
            "company": company,
            "retention": county_setting("EXPOSURE_RETENTION_MONTHS"),
        },
    )


def exposure_feed(request: HttpRequest) -> HttpResponse:
    base = str(county_setting("PUBLIC_BASE_URL")).rstrip("/")
    feed = feedgenerator.Atom1Feed(
        title=f"{county_setting('BUREAU_NAME')} · 物业服务曝光台",
        link=base + reverse("credit:exposure"),
        description="物业服务企业行政处罚和约谈信息",
        language="zh-CN",
        feed_url=base + reverse("credit:exposure_feed"),
    )
    for e in selectors.exposure_items()[:100]:
        feed.add_item(
            title=f"{e.company.name} · {type_label(e.type)}",
            link=f"{base}{reverse('credit:exposure')}#e{e.pk}",
            description=_exposure_text(e),
            unique_id=f"{base}/exposure/{e.pk}",
            pubdate=timezone.make_aware(dt.datetime.combine(e.date, dt.time(9))),
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def _exposure_text(e: CreditEvent) -> str:
    d = e.details
    parts = [e.summary]
    if d.get("legal_basis"):
        parts.append(f"依据：{d['legal_basis']}")
    if d.get("decision_number"):
        parts.append(f"决定书：{d['decision_number']}")
    return " ".join(parts)


def notices_public(request: HttpRequest) -> HttpResponse:
    return render(request, "credit/notices_public.html", {"notices": selectors.published_notices()[:200]})


def notice_public(request: HttpRequest, year: int, seq: int) -> HttpResponse:
    return render(
        request, "credit/notice.html", {"notice": selectors.notice_public(year, seq), "preview": False}
    )


def notice_public_pdf(request: HttpRequest, year: int, seq: int) -> HttpResponse:
    notice = selectors.notice_public(year, seq)
    resp = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=notice-{year}-{seq}.pdf"
    return resp


# --- the bureau ---------------------------------------------------------------------------------------------------


@role_required(*COUNTY_READ_ROLES)
def bureau_home(request: AuthedHttpRequest) -> HttpResponse:
    on = _on(request)
    return render(
        request,
        "credit/bureau_home.html",
        {"rows": explain_all(on=on), "on": on, "rule": rule_in_force(on), "levels": LEVELS},
    )


@role_required(*OBJECTION_ROLES)
def dossier(request: AuthedHttpRequest, credit_code: str) -> HttpResponse:
    company = selectors.company_visible_to(request.user, credit_code)
    on = _on(request)
    return render(
        request,
        "credit/dossier.html",
        {
            "company": company,
            "ex": explain(company, on=on),
            "on": on,
            "d": selectors.dossier(company),
            "can_object": request.user.role == Role.COMPANY_STAFF,
        },
    )


@role_required(*COUNTY_READ_ROLES)
def rules(request: AuthedHttpRequest) -> HttpResponse:
    rule = rule_in_force(today())
    form = forms.RuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if request.user.role != Role.BUREAU_ADMIN:
            raise Http404
        if form.is_valid():
            try:
                services.credit_rule_version_create(actor=request.user, **form.rule_data())
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, "已保存新的规则版本。")
                return redirect("credit:rules")
    return render(
        request,
        "credit/rules.html",
        {
            "form": form,
            "rule": rule,
            "versions": selectors.rule_versions(),
            "can_edit": request.user.role == Role.BUREAU_ADMIN,
        },
    )


@role_required(*BUREAU_ROLES)
def record_new(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_record_enter(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "已录入，并已计入信用记录。")
            return redirect("credit:bureau")
    return render(request, "credit/form.html", {"form": form, "title": "录入表彰或一票否决事项"})


@role_required(*OBJECTION_ROLES)
def objections(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request, "credit/objections.html", {"objections": selectors.objections_for(request.user)[:300]}
    )


@role_required(Role.COMPANY_STAFF)
def objection_new(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_company(request.user, pk)
    form = forms.ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_objection_raise(
                actor=request.user,
                event=event,
                reasons=form.cleaned_data["reasons"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "异议已提交，复核期间该记录在公开页面标注“有异议”。")
            return redirect("credit:objections")
    return render(
        request,
        "credit/form.html",
        {
            "form": form,
            "title": f"对信用记录提出异议：{type_label(event.type)}",
            "intro": event.summary,
            "deadline": services.objection_deadline(event),
        },
    )


@role_required(*OBJECTION_ROLES)
def objection_evidence(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    """The evidence of an objection: to the county's roles and to the company that objected."""
    objection = selectors.objections_for(request.user).filter(pk=pk).first()
    if objection is None or not objection.evidence:
        raise Http404("没有找到该证明材料")
    name = (objection.evidence.name or "evidence").rsplit("/", 1)[-1]
    return serve_upload(objection.evidence, filename=name, as_attachment=False)


@role_required(*BUREAU_ROLES)
def objection_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_for_bureau(pk, request.user)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_objection_decide(actor=request.user, objection=objection, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "复核结论已保存。")
            return redirect("credit:objections")
    return render(request, "credit/objection.html", {"o": objection, "form": form})


@role_required(*COUNTY_READ_ROLES)
def honours(request: AuthedHttpRequest) -> HttpResponse:
    on = _on(request)
    return render(
        request,
        "credit/honours.html",
        {"rows": selectors.standings(on=on), "on": on, "levels": county_setting("CREDIT_HONOURS_LEVELS")},
    )


@role_required(*COUNTY_READ_ROLES)
@reading_replica()
def joint_export(request: AuthedHttpRequest) -> HttpResponse:
    on = _on(request)
    rows = []
    for s in selectors.standings(on=on):
        c = s.explanation.company
        for reason, basis in s.restrictions:
            rows.append(
                [c.name, c.credit_code, s.explanation.level, s.explanation.score, reason, basis, str(on)]
            )
    data = write_table(
        title=f"物业服务企业联合惩戒名单（{on:%Y年%-m月%-d日}）",
        headers=["企业名称", "统一社会信用代码", "信用等级", "信用分", "限制原因", "依据", "计算日期"],
        rows=rows,
        widths=[30, 22, 10, 10, 40, 50, 14],
    )
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename=joint-punishment-{on}.xlsx"
    return resp


# --- notices ------------------------------------------------------------------------------------------------------


def _pick_choices() -> list[tuple[str, str]]:
    out = []
    for e in selectors.exposure_items()[:100]:
        out.append((f"event:{e.pk}", f"{e.company.name}：{type_label(e.type)}，{e.summary}"))
    for ex in explain_all():
        if ex.level == LEVELS[-1] or ex.level == LEVELS[0]:
            veto = "（一票否决）" if ex.veto else ""
            out.append(
                (f"level:{ex.company.pk}", f"{ex.company.name}：信用等级 {ex.level} 级，{ex.score} 分{veto}")
            )
    return out


def _items_from(picks: list[str], choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    labels = dict(choices)
    return [{"kind": p.split(":")[0], "key": p, "text": labels[p]} for p in picks if p in labels]


@role_required(*BUREAU_ROLES)
def notices(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "credit/notices_staff.html", {"notices": selectors.notices_for_staff()[:300]})


@role_required(*BUREAU_ROLES)
def notice_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).first() if pk else None
    if pk and notice is None:
        raise Http404
    choices = _pick_choices()
    for item in notice.items if notice else []:
        if item["key"] not in dict(choices):
            choices.append((item["key"], item["text"]))
    initial = (
        {"title": notice.title, "body": notice.body, "picks": [i["key"] for i in notice.items]}
        if notice
        else {}
    )
    form = forms.NoticeForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_save(
                actor=request.user,
                notice=notice,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                items=_items_from(form.cleaned_data["picks"], choices),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "草稿已保存，请预览后发布。")
            return redirect("credit:notice_preview", pk=notice.pk)
    return render(
        request, "credit/form.html", {"form": form, "title": "起草通报" if not notice else "修改通报"}
    )


@role_required(*BUREAU_ROLES)
def notice_preview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    return render(
        request, "credit/notice.html", {"notice": notice, "preview": notice.status == NoticeStatus.DRAFT}
    )


@require_POST
@role_required(*BUREAU_ROLES)
def notice_publish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    try:
        notice = services.notice_publish(actor=request.user, notice=notice)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("credit:notice_preview", pk=pk)
    messages.success(request, f"已发布：{notice.number}")
    return redirect("credit:notice_public", year=notice.year, seq=notice.seq)
