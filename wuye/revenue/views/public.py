"""The public revenue pages: no login, no personal data; owners raise objections here."""

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wuye.accounts.models import Role
from wuye.common.dates import today
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.files import serve_upload
from wuye.kernel.conf import county_setting

from .. import forms, selectors, services
from ..models import Disclosure
from ..pdf import statement_pdf
from ..periods import period_from_key

# --- public pages (no login; no personal data) ---------------------------------------------------------------


def public_url(code: str) -> str:
    base: str = county_setting("PUBLIC_BASE_URL")
    return base.rstrip("/") + reverse("revenue:public", args=[code])


def public_index(request: HttpRequest, code: str) -> HttpResponse:
    est = selectors.public_estate(code)
    account = selectors.account_of(est)
    disclosures = list(selectors.disclosures_published(account)) if account else []
    return render(
        request,
        "revenue/public_index.html",
        {
            "estate": est,
            "account": account,
            "disclosures": disclosures,
            "latest": disclosures[0] if disclosures else None,
            "public_url": public_url(code),
        },
    )


def _public_statement(code: str, period: str) -> tuple[Any, Disclosure, selectors.Statement]:
    est = selectors.public_estate(code)
    account = selectors.account_of(est)
    if account is None:
        raise Http404("该小区没有公示")
    try:
        p = period_from_key(period)
    except DomainError:
        raise Http404("期间不正确") from None
    d = selectors.disclosure_published_for(account, period_key=p.key)
    if d is None:
        raise Http404("该期间尚未公示")
    return est, d, selectors.statement(account, p)


def public_statement(request: HttpRequest, code: str, period: str) -> HttpResponse:
    est, d, st = _public_statement(code, period)
    user = request.user
    can_object = (
        user.is_authenticated and selectors.owner_units_in(user, est) and today() <= d.objection_until
    )
    return render(
        request,
        "revenue/public_statement.html",
        {
            "estate": est,
            "d": d,
            "st": st,
            "objections": selectors.objections_of(d),
            "can_object": can_object,
            "public_url": public_url(code),
            "is_owner": getattr(user, "role", None) == Role.OWNER,
        },
    )


def public_pdf(request: HttpRequest, code: str, period: str) -> HttpResponse:
    est, d, st = _public_statement(code, period)
    data = statement_pdf(st, d, public_url=public_url(code))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=revenue-{est.code}-{d.period_key}.pdf"
    return resp


def public_qr(request: HttpRequest, code: str) -> HttpResponse:
    selectors.public_estate(code)
    buf = io.BytesIO()
    segno.make(public_url(code), error="m").save(buf, kind="svg", scale=6, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


def public_voucher(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Vouchers of lines in a published statement are public; others only to staff who see the estate."""
    voucher = selectors.voucher_get(pk)
    if not selectors.voucher_is_public(voucher):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        selectors.entry_get_visible(request.user, pk=voucher.entry_id)
    return serve_upload(
        voucher.file, content_type=voucher.content_type, filename=voucher.original_name, as_attachment=False
    )


@require_POST
def public_objection(request: HttpRequest, code: str, period: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("revenue:public_statement", args=[code, period]))
    est, d, _ = _public_statement(code, period)
    form = forms.ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请填写异议内容", field="text")
        entry = selectors.entry_in_disclosure(d, pk=form.cleaned_data["entry"])
        if entry is None:
            raise DomainError("该明细不在本期公示中", field="entry")
        services.objection_raise(
            actor=request.user, disclosure=d, entry=entry, text=form.cleaned_data["text"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, NotAllowed) else 400
        resp = public_statement(request, code, period)
        resp.status_code = status
        return resp
    messages.success(request, "您的异议已提交，物业服务企业须在期限内答复。")
    return redirect("revenue:public_statement", code=est.code, period=d.period_key)
