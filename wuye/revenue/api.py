"""REST API routes of the revenue app (mounted under /api/v1/revenue/).

- statements/<code>/<period>/ (public): a published statement as JSON, so owners can re-check the balance and the
  SHA-256 digest of the lines themselves. No personal data (counterparties masked as on the public page).
- compliance/ (county roles): the compliance table as JSON.
"""

from decimal import Decimal
from typing import Any, cast

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wuye.accounts.models import User
from wuye.accounts.permissions import COUNTY_READ_ROLES, roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.common.errors import DomainError

from . import selectors
from .periods import period_from_key
from .privacy import public_counterparty


def _money(value: Decimal | None) -> str | None:
    """Money goes out as a string of yuan with two places, never a float."""
    return None if value is None else f"{value:.2f}"


# --- the documented shapes of the answers (finding 10: the schema says exactly what is sent) ---


class _EstateRef(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class _PeriodOut(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API field is named "label"
    start = serializers.DateField()
    end = serializers.DateField()


class _TotalsOut(serializers.Serializer[Any]):
    opening = serializers.CharField(allow_null=True, help_text="元，两位小数")
    income = serializers.CharField(allow_null=True)
    outgo = serializers.CharField(allow_null=True)
    closing = serializers.CharField(allow_null=True)
    lines = serializers.IntegerField()
    digest = serializers.CharField()


class _LineOut(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.CharField()
    direction = serializers.CharField()
    amount = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # the API field is named "source"
    use = serializers.CharField()
    description = serializers.CharField()
    counterparty = serializers.CharField()
    resolution = serializers.CharField(allow_null=True)
    reverses = serializers.IntegerField(allow_null=True)
    balance = serializers.CharField()


class StatementOut(serializers.Serializer[Any]):
    estate = _EstateRef()
    period = _PeriodOut()
    published_at = serializers.DateTimeField()
    objection_until = serializers.DateField()
    published = _TotalsOut()
    current = _TotalsOut()
    lines = _LineOut(many=True)


class ComplianceRowOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    town = serializers.CharField()
    company = serializers.CharField(allow_null=True)
    account_status = serializers.CharField(allow_null=True)
    last_period = serializers.CharField(allow_null=True)
    last_published = serializers.DateTimeField(allow_null=True)
    last_closing = serializers.CharField(allow_null=True)
    open_findings = serializers.IntegerField()


class StatementView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []

    @extend_schema(
        summary="已公示的公共收益收支明细（公开）", responses={200: StatementOut} | api_errors(404)
    )
    def get(self, request: Request, code: str, period: str) -> Response:
        estate = selectors.public_estate(code)
        account = selectors.account_of(estate)
        try:
            p = period_from_key(period)
        except DomainError:
            raise Http404("期间不正确") from None
        d = selectors.disclosure_published_for(account, period_key=p.key)
        if d is None or account is None:  # no account, no disclosure
            raise Http404("该期间尚未公示")
        st = selectors.statement(account, p, with_vouchers=False)
        reversed_numbers = selectors.entry_numbers(
            [line.entry.reverses_id for line in st.lines if line.entry.reverses_id]
        )
        return Response(
            {
                "estate": {"code": estate.code, "name": estate.name},
                "period": {"key": p.key, "label": p.label, "start": p.start, "end": p.end},
                "published_at": d.published_at,
                "objection_until": d.objection_until,
                "published": {
                    "opening": _money(d.opening_balance),
                    "income": _money(d.income_total),
                    "outgo": _money(d.outgo_total),
                    "closing": _money(d.closing_balance),
                    "lines": d.line_count,
                    "digest": d.digest,
                },
                "current": {
                    "opening": _money(st.opening),
                    "income": _money(st.income_total),
                    "outgo": _money(st.outgo_total),
                    "closing": _money(st.closing),
                    "lines": len(st.lines),
                    "digest": st.digest,
                },
                "lines": [
                    {
                        "number": line.entry.number,
                        "date": line.entry.occurred_on,
                        "kind": line.entry.kind,
                        "direction": line.entry.direction,
                        "amount": _money(line.entry.amount),
                        "source": line.entry.source,
                        "use": line.entry.use,
                        "description": line.entry.description,
                        "counterparty": public_counterparty(line.entry.counterparty),
                        "resolution": line.entry.resolution.title
                        if line.entry.resolution is not None
                        else None,
                        "reverses": reversed_numbers.get(line.entry.reverses_id)
                        if line.entry.reverses_id
                        else None,
                        "balance": _money(line.balance),
                    }
                    for line in st.lines
                ],
            }
        )


class ComplianceView(APIView):
    permission_classes = [roles_permission(COUNTY_READ_ROLES)]

    @extend_schema(
        summary="全县公共收益监管情况",
        responses={200: ComplianceRowOut(many=True)} | api_errors(*AUTH_ERRORS),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.compliance_table(
            cast(User, request.user)
        )  # the permission admits logged-in users only
        return Response(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "town": r.town_name,
                    "company": r.company_name,
                    "account_status": r.account_status,
                    "last_period": r.last_period,
                    "last_published": r.last_published,
                    "last_closing": _money(r.last_closing),
                    "open_findings": r.open_findings,
                }
                for r in rows
            ]
        )


urlpatterns = [
    path("statements/<slug:code>/<str:period>/", StatementView.as_view(), name="revenue-api-statement"),
    path("compliance/", ComplianceView.as_view(), name="revenue-api-compliance"),
]
