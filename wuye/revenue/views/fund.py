"""The special maintenance fund pages (住宅专项维修资金)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES
from wuye.accounts.permissions import role_required
from wuye.common.dates import today
from wuye.common.errors import DomainError
from wuye.common.xlsx import write_table
from wuye.kernel.conf import county_setting

from .. import forms, selectors, services

# --- maintenance fund --------------------------------------------------------------------------------------


@role_required(*COUNTY_READ_ROLES)
def fund_county(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.fund_county_by_collector(request.user)
    if request.GET.get("format") == "xlsx":
        data = write_table(
            title=f"{county_setting('COUNTY_NAME')}住宅专项维修资金未上缴情况（{today():%Y-%m-%d}）",
            headers=[
                "序号",
                "代收方",
                "代收单位",
                "涉及小区",
                "笔数",
                "已代收未上缴（元）",
                "其中逾期（元）",
                "尚未代收（元）",
            ],
            rows=[
                [
                    i,
                    r["collector_label"],
                    r["collector_name"],
                    r["estates"],
                    r["dues"],
                    float(r["held"]),
                    float(r["overdue"]),
                    float(r["uncollected"]),
                ]
                for i, r in enumerate(rows, start=1)
            ],
            widths=[6, 16, 32, 10, 8, 18, 16, 16],
        )
        resp = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = "attachment; filename*=UTF-8''fund-undeposited.xlsx"
        return resp
    return render(request, "revenue/fund_county.html", {"rows": rows, "today": today()})


def _first_form_error(form: Any) -> DomainError:
    """The first invalid field of a form shown as a message, named by its label (not a fixed guess)."""
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else "填写内容"
    return DomainError(f"{label}：{errors[0]}", field=name)


@role_required(*STAFF_ROLES)
def fund_estate(request: AuthedHttpRequest, code: str) -> HttpResponse:
    est = selectors.revenue_estate_get(request.user, code=code)
    is_bureau = request.user.role in BUREAU_ROLES
    gen_form = forms.FundGenerateForm(
        request.POST if request.POST.get("op") == "generate" else None,
        initial={"collector_name": est.developer, "collector": "developer"},
    )
    mark_form = forms.FundMarkForm(
        request.POST if request.POST.get("op") == "mark" else None, initial={"day": today()}
    )
    if request.method == "POST":
        try:
            if request.POST.get("op") == "generate":
                if not gen_form.is_valid():
                    raise _first_form_error(gen_form)
                n = services.fund_dues_generate(actor=request.user, estate=est, **gen_form.cleaned_data)
                messages.success(request, f"已核定 {n} 套房屋的首期维修资金。")
            elif request.POST.get("op") == "mark":
                if not mark_form.is_valid():
                    raise _first_form_error(mark_form)
                ids = [int(i) for i in request.POST.getlist("due")]
                data = mark_form.cleaned_data
                if data["action"] == "collect":
                    n = services.fund_collection_record(
                        actor=request.user,
                        estate=est,
                        due_ids=ids,
                        collected_on=data["day"],
                    )
                else:
                    n = services.fund_deposit_record(
                        actor=request.user,
                        estate=est,
                        due_ids=ids,
                        deposited_on=data["day"],
                        reference=data["reference"],
                    )
                messages.success(request, f"已更新 {n} 笔。")
            else:
                raise DomainError("未知操作", field="action")
        except (DomainError, ValueError) as exc:
            # a due id that is not a number is a ValueError, which has no .message (it used to fail with a 500)
            messages.error(
                request, exc.message if isinstance(exc, DomainError) else "所选房屋记录无效，请刷新后重试"
            )
        else:
            return redirect("revenue:fund_estate", code=est.code)
    dues = selectors.fund_dues_of(est)
    return render(
        request,
        "revenue/fund_estate.html",
        {
            "estate": est,
            "summary": selectors.fund_estate_summary(est),
            "page": Paginator(dues, 100).get_page(request.GET.get("page")),
            "is_bureau": is_bureau,
            "can_collect": is_bureau or selectors.user_company_runs(request.user, est),
            "gen_form": gen_form,
            "mark_form": mark_form,
            "today": today(),
            "fund_rate": county_setting("FUND_RATE_YUAN_PER_M2"),
            "has_dues": selectors.fund_has_dues(est),
        },
    )
