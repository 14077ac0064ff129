"""REST API of the ledger (mounted under /api/v1/cases/): the same scoping and permissions as the pages."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wuye.accounts.models import BUREAU_ROLES, STAFF_ROLES
from wuye.accounts.permissions import roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.kernel.http import authed_user
from wuye.kernel.taxonomy import Category, label_of
from wuye.registry.selectors import estates_visible_to

from . import forms, selectors, services, workflow
from .models import ActionKind, Case, CaseEvent
from .views import _filter


def _error(exc: DomainError, *, field: str | None = None) -> Response:
    code = (
        status.HTTP_403_FORBIDDEN
        if isinstance(exc, NotAllowed)
        else status.HTTP_409_CONFLICT
        if isinstance(exc, InvalidTransition)
        else status.HTTP_400_BAD_REQUEST
    )
    return Response({"detail": exc.message, "field": field or exc.field}, status=code)


MAX_PAGE = 1_000_000


class CappedPagination(PageNumberPagination):
    """Page numbers over a capped count: a million-row ledger never runs an unbounded COUNT(*)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        if not isinstance(
            queryset, QuerySet
        ):  # the capped count needs the database; a list is never paged here
            raise TypeError("CappedPagination pages a queryset")
        self.request = request
        size = self.get_page_size(request) or self.page_size
        try:
            self.number = max(1, int(request.query_params.get(self.page_query_param, 1)))
        except ValueError:
            self.number = 1
        self.number = min(self.number, MAX_PAGE)  # an OFFSET past the database's integer range is a 500
        self.total, self.more = selectors.count_capped(queryset)
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size])
        self.has_next = start + size < self.total or (self.more and len(rows) == size)
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.total,
                "count_capped": self.more,
                "page": self.number,
                "has_next": self.has_next,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "count_capped": {"type": "boolean"},
                "page": {"type": "integer"},
                "has_next": {"type": "boolean"},
                "results": schema,
            },
        }


class CaseListSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="estate.name")
    estate_code = serializers.CharField(source="estate.code")
    town = serializers.CharField(source="estate.town.name")
    company = serializers.CharField(source="company.name", default=None, allow_null=True)
    category_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()
    tier = serializers.CharField(
        read_only=True, help_text="办理时限类别：urgent 紧急 / ordinary 一般 / complex 复杂"
    )
    sign_late = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "urgent",
            "tier",
            "signed_at",
            "sign_late",
            "due_at",
            "title",
            "estate",
            "estate_code",
            "town",
            "company",
            "category",
            "category_label",
            "description",
            "source_channel",
            "status",
            "status_label",
            "deadline",
            "overdue",
            "report_count",
            "created_at",
            "closed_at",
        ]

    def get_category_label(self, obj: Case) -> str:
        return label_of(obj.category)

    def get_overdue(self, obj: Case) -> bool:
        return selectors.case_is_overdue(obj)

    def get_sign_late(self, obj: Case) -> bool:
        return selectors.case_sign_late(obj)


class EventSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["at", "kind", "title", "text", "from_status", "to_status", "actor_label", "attachments"]

    def get_attachments(self, obj: CaseEvent) -> list[str]:
        return [a.original_name for a in obj.attachments.all()]


class CaseDetailSerializer(CaseListSerializer):
    merged_into = serializers.CharField(source="merged_into.number", default=None, allow_null=True)
    next_step = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "target",
            "measures",
            "responsible",
            "progress",
            "closed_reason",
            "merged_into",
            "next_step",
            "allowed_actions",
            "reports",
            "timeline",
        ]

    def get_next_step(self, obj: Case) -> str:
        return selectors.next_step(obj)

    def get_timeline(self, obj: Case) -> list[dict[str, Any]]:
        events = EventSerializer(selectors.case_timeline(self.context["request"].user, obj), many=True)
        return list(events.data)

    def get_reports(self, obj: Case) -> list[dict[str, Any]]:
        out = []
        for r in selectors.case_reports(self.context["request"].user, obj):
            row = {k: v for k, v in r.items() if k != "lead"}
            out.append(row)
        return out

    def get_allowed_actions(self, obj: Case) -> list[str]:
        return selectors.allowed_actions(self.context["request"].user, obj)


class CaseCreateSerializer(serializers.Serializer):
    estate = serializers.CharField(help_text="小区编码")
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    source_channel = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(workflow.API_ACTIONS))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="理由/意见/说明（mark_unfounded、return、reopen、accept、extension_* 等）",
    )
    target = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="整改目标；merge 时为目标事项编号"
    )
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    responsible = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="完成时限 / 申请延至 / 批准延至"
    )
    progress = serializers.CharField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(
        choices=["urgent", "ordinary", "complex"],
        required=False,
        default="ordinary",
        help_text="set_tier：紧急程度",
    )
    kind = serializers.ChoiceField(choices=ActionKind.choices, required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)
    interviewee = serializers.CharField(required=False, allow_blank=True, default="")
    interviewers = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.CharField(required=False, allow_blank=True, default="")
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


def _run(user: Any, case: Case, d: dict[str, Any]) -> Any:
    """The declared operation behind the API action, called with its form's fields taken from the request."""
    action = d["action"]
    op = workflow.API_ACTIONS[action]
    fixed = op.api[action]
    data: dict[str, Any] = {}
    for name in getattr(forms, op.form).base_fields:
        source = op.api_fields.get(name, name)
        if name in fixed:
            data[name] = fixed[name]
        elif source in d:
            data[name] = d[source]
    return getattr(services, op.service)(actor=user, case=case, **data)


FILTER_PARAMS = [
    OpenApiParameter("town", int, description="乡镇/街道 id"),
    OpenApiParameter("estate", int, description="小区 id"),
    OpenApiParameter("company", int, description="物业企业 id"),
    OpenApiParameter("category", str),
    OpenApiParameter("status", str, description="状态，或 open（全部在办）"),
    OpenApiParameter("channel", str),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("unsigned", bool, description="超时未签收"),
    OpenApiParameter("urgent", bool, description="紧急事项"),
    OpenApiParameter("date_from", str),
    OpenApiParameter("date_to", str),
    OpenApiParameter("q", str, description="问题描述关键词或事项编号"),
]


class CaseListApi(generics.ListCreateAPIView):
    permission_classes = [roles_permission(STAFF_ROLES, write_roles=BUREAU_ROLES)]
    pagination_class = CappedPagination
    serializer_class = CaseListSerializer

    def get_queryset(self) -> QuerySet[Case]:
        user = authed_user(self.request)
        _, f = _filter(user, self.request.query_params)
        return selectors.case_list(user, f)

    @extend_schema(
        parameters=FILTER_PARAMS,
        responses={200: CaseListSerializer(many=True)} | api_errors(*AUTH_ERRORS),
        summary="台账列表（按角色限定范围，可筛选）",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer} | api_errors(400, *AUTH_ERRORS),
        summary="立案",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        s = CaseCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        user = authed_user(request)
        estate = estates_visible_to(user).filter(code=d["estate"]).first()
        if estate is None:
            return Response(
                {"detail": "没有找到该小区", "field": "estate"}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            case = services.case_create(
                actor=user,
                estate=estate,
                category=d["category"],
                description=d["description"],
                title=d["title"],
                source_channel=d["source_channel"],
            )
        except DomainError as exc:
            return _error(exc)
        case = selectors.case_get_visible(user, number=case.number)
        return Response(
            CaseDetailSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class CaseDetailApi(APIView):
    permission_classes = [roles_permission(STAFF_ROLES)]

    def _case(self, request: Request, number: str) -> Case:
        try:
            return selectors.case_get_visible(request.user, number=number)
        except Http404:
            raise NotFound("没有找到该事项，或您无权查看") from None

    @extend_schema(
        responses={200: CaseDetailSerializer} | api_errors(*AUTH_ERRORS, 404),
        summary="事项详情（含办理过程）",
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(CaseDetailSerializer(self._case(request, number), context={"request": request}).data)


class CaseTransitionApi(CaseDetailApi):
    permission_classes = [roles_permission(STAFF_ROLES, write_roles=STAFF_ROLES)]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer} | api_errors(400, *AUTH_ERRORS, 404, 409),
        summary="办理：核查、下达整改、提交、验收、退回、重新整改、延期、督办、合并",
    )
    def post(self, request: Request, number: str) -> Response:
        case = self._case(request, number)
        data: Any = request.data
        if hasattr(data, "getlist"):
            data = {k: data.get(k) for k in data if k != "attachments"}
            data["attachments"] = request.FILES.getlist("attachments")
        s = TransitionSerializer(data=data)
        s.is_valid(raise_exception=True)
        try:
            _run(request.user, case, dict(s.validated_data))
        except DomainError as exc:
            # the field as the API calls it (a form's `requested_deadline` is the API's `deadline`)
            names = workflow.API_ACTIONS[s.validated_data["action"]].api_fields
            return _error(exc, field=names.get(exc.field or "", exc.field))
        case = selectors.case_get_visible(request.user, number=number)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


urlpatterns = [
    path("", CaseListApi.as_view(), name="api-cases"),
    path("<str:number>/", CaseDetailApi.as_view(), name="api-case"),
    path("<str:number>/transitions/", CaseTransitionApi.as_view(), name="api-case-transition"),
]
