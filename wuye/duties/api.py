"""REST API of the duties app (mounted under /api/v1/duties/).

- readiness/ (county roles; a company: its own estates): each estate's readiness score with every missing or stale
  duty listed.
- estates/<code>/public/ (public): what the estate's public page shows of the company's duties (no personal data).
"""

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
from wuye.accounts.permissions import COUNTY_READ_ROLES, Role, roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.registry.models import Estate

from . import selectors


class _DutyOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the API field is named "label"
    ok = serializers.BooleanField()
    gaps = serializers.ListField(child=serializers.CharField())


class ReadinessOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    town = serializers.CharField()
    company = serializers.CharField()
    score = serializers.IntegerField(help_text="无缺失、无过期的事项所占百分比")
    duties = _DutyOut(many=True)


class ReadinessView(APIView):
    permission_classes = [roles_permission(frozenset({*COUNTY_READ_ROLES, Role.COMPANY_STAFF}))]

    @extend_schema(
        summary="各小区物业企业履约完备度",
        responses={200: ReadinessOut(many=True)} | api_errors(*AUTH_ERRORS),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.readiness(selectors.estates_for(cast(User, request.user)))
        return Response(
            [
                {
                    "code": r.estate.code,
                    "name": r.estate.name,
                    "town": r.estate.town.name,
                    "company": r.company,
                    "score": r.score,
                    "duties": [
                        {"code": d.code, "label": d.label, "ok": d.ok, "gaps": list(d.gaps)} for d in r.duties
                    ],
                }
                for r in rows
            ]
        )


class _PublicItemOut(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # the API field is named "label"
    summary = serializers.CharField()
    published_on = serializers.DateField()
    person_title = serializers.CharField()
    duty_phone = serializers.CharField(help_text="企业值班电话（工作电话）")
    approval_ref = serializers.CharField()


class _PlanOut(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # the API field is named "label"
    ok = serializers.BooleanField()


class PublicOut(serializers.Serializer[Any]):
    disclosures = _PublicItemOut(many=True)
    missing = serializers.ListField(child=serializers.CharField())
    plans = _PlanOut(many=True)
    last_drill = serializers.DateField(allow_null=True)
    renovations = serializers.IntegerField()
    violations = serializers.IntegerField()
    violations_reported = serializers.IntegerField()


class PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []

    @extend_schema(
        summary="小区物业企业公示信息与应急防范情况（公开）", responses={200: PublicOut} | api_errors(404)
    )
    def get(self, request: Request, code: str) -> Response:
        estate = Estate.objects.filter(code=code).first()
        summary = selectors.public_summary(estate) if estate is not None else None
        if summary is None:
            raise Http404("没有找到该小区或该小区没有在期的物业服务合同")
        return Response(
            {
                "disclosures": [
                    {
                        "label": d["label"],
                        "summary": d["item"].summary,
                        "published_on": d["item"].published_on,
                        "person_title": d["item"].person_title,
                        "duty_phone": d["item"].duty_phone,
                        "approval_ref": d["item"].approval_ref,
                    }
                    for d in summary["disclosures"]
                ],
                "missing": summary["missing"],
                "plans": summary["plans"],
                "last_drill": summary["last_drill"],
                "renovations": summary["renovations"],
                "violations": summary["violations"],
                "violations_reported": summary["violations_reported"],
            }
        )


urlpatterns = [
    path("readiness/", ReadinessView.as_view(), name="duties-api-readiness"),
    path("estates/<slug:code>/public/", PublicView.as_view(), name="duties-api-public"),
]
