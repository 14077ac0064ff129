"""REST API of the triage app (mounted under /api/v1/triage/): suggestions and duplicate candidates for a text."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wuye.accounts.models import BUREAU_ROLES
from wuye.accounts.permissions import roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.kernel.http import authed_user
from wuye.kernel.taxonomy import Category
from wuye.registry.selectors import estates_visible_to

from . import ml
from .duplicates import similar_open_cases


class SuggestIn(serializers.Serializer):
    text = serializers.CharField(
        max_length=5000, error_messages={"blank": "请填写反映内容", "required": "请填写反映内容"}
    )
    estate = serializers.CharField(
        required=False, allow_blank=True, help_text="小区编码；给出时返回可能重复的在办事项"
    )


class _TopOut(serializers.Serializer):
    category = serializers.CharField()
    probability = serializers.FloatField()


class _DuplicateOut(serializers.Serializer):
    number = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    score = serializers.FloatField()


class SuggestOut(serializers.Serializer):
    category = serializers.CharField()
    category_label = serializers.CharField()
    top3 = _TopOut(many=True)
    urgent = serializers.BooleanField()
    urgent_probability = serializers.FloatField()
    urgent_reason = serializers.CharField(allow_blank=True)
    terms = serializers.ListField(child=serializers.CharField())
    urgent_terms = serializers.ListField(child=serializers.CharField())
    model_version = serializers.CharField()
    duplicates = _DuplicateOut(many=True)


class SuggestView(APIView):
    """POST a complaint text (and optionally an estate code): category top-3, urgency with its reason, the
    explaining terms, and the open cases of that estate that look like the same problem."""

    permission_classes = [roles_permission(BUREAU_ROLES)]

    @extend_schema(request=SuggestIn, responses={200: SuggestOut} | api_errors(400, *AUTH_ERRORS, 404, 503))
    def post(self, request: Request) -> Response:
        form = SuggestIn(data=request.data)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            return Response(
                {"detail": str(errors[0]), "field": {"text": "反映内容", "estate": "小区"}.get(field, field)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            prediction = ml.suggest(form.validated_data["text"])
        except ml.ModelUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        out: dict[str, Any] = prediction.as_dict()
        out["category_label"] = (
            Category(prediction.category).label
            if prediction.category in Category.values
            else "非物业服务事项"
        )
        code = form.validated_data.get("estate") or ""
        out["duplicates"] = []
        if code:
            estate = estates_visible_to(authed_user(request)).filter(code=code).first()
            if estate is None:
                return Response(
                    {"detail": "没有找到该小区", "field": "小区"}, status=status.HTTP_404_NOT_FOUND
                )
            category = prediction.category if prediction.category != ml.NONE else None
            out["duplicates"] = [
                {
                    "number": c.number,
                    "category": c.category,
                    "status": c.status,
                    "description": c.description[:200],
                    "created_at": c.created_at.isoformat(),
                    "score": score,
                }
                for c, score in similar_open_cases(
                    estate=estate, text=form.validated_data["text"], category=category
                )
            ]
        return Response(out)


urlpatterns = [
    path("suggest/", SuggestView.as_view(), name="triage-suggest"),
]
