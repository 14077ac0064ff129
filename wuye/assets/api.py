"""REST API of the assets app (mounted under /api/v1/assets/).

- elevators/ (staff roles, scoped): the elevators a user may see with their last maintenance and renewal stage.
- elevators/<pk>/maintenance/ (POST; the company serving the estate, or the bureau): record a maintenance visit.
- elevators/county/ (county roles): elevators by age band and renewal stage per estate, the worst first.
- handovers/ (staff roles, scoped): handovers with their checklist.
"""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role, User
from wuye.accounts.permissions import roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed

from . import selectors, services
from .models import RenewalStage


def _error(exc: DomainError) -> Response:
    code = (
        status.HTTP_403_FORBIDDEN
        if isinstance(exc, NotAllowed)
        else status.HTTP_409_CONFLICT
        if isinstance(exc, InvalidTransition)
        else status.HTTP_400_BAD_REQUEST
    )
    return Response({"detail": exc.message, "field": exc.field}, status=code)


class ElevatorOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reg_code = serializers.CharField()
    estate = serializers.CharField(source="estate.code")
    estate_name = serializers.CharField(source="estate.name")
    building = serializers.CharField(source="building.name", allow_null=True, default=None)
    unit_label = serializers.CharField()
    installed_on = serializers.DateField()
    last_inspection_on = serializers.DateField(allow_null=True)
    inspection_result = serializers.CharField(source="get_inspection_result_display")
    last_maintenance = serializers.DateField(allow_null=True)
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    funding_source = serializers.CharField(source="get_funding_source_display")


class MaintenanceIn(serializers.Serializer[Any]):
    done_on = serializers.DateField(help_text="维保日期，不能晚于今天")
    done_by = serializers.CharField(max_length=100)
    items = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MaintenanceOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    elevator = serializers.CharField(source="elevator.reg_code")
    done_on = serializers.DateField()
    done_by = serializers.CharField()
    items = serializers.CharField()
    created = serializers.BooleanField()


class CountyRowOut(serializers.Serializer[Any]):
    estate = serializers.CharField()
    estate_name = serializers.CharField()
    town = serializers.CharField()
    total = serializers.IntegerField()
    age_bands = serializers.DictField(child=serializers.IntegerField())
    stages = serializers.DictField(child=serializers.IntegerField())
    inspection_failed = serializers.IntegerField()
    renewal_due_not_started = serializers.IntegerField()


class HandoverItemOut(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    kind = serializers.CharField(source="get_kind_display")
    label = serializers.CharField()  # type: ignore[assignment]  # the API field is named "label"
    status = serializers.CharField(source="get_status_display")


class HandoverOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    estate = serializers.CharField(source="estate.code")
    source = serializers.CharField(source="get_source_display")  # type: ignore[assignment]
    outgoing = serializers.CharField(source="outgoing.name", allow_null=True, default=None)
    incoming = serializers.CharField(source="incoming_name")
    deadline = serializers.DateField()
    status = serializers.CharField(source="get_status_display")
    overdue_since = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    items = HandoverItemOut(many=True)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class ElevatorListApi(APIView):
    permission_classes = [roles_permission(STAFF_ROLES)]

    @extend_schema(responses={200: ElevatorOut(many=True)} | api_errors(*AUTH_ERRORS), summary="电梯台账")
    def get(self, request: Request) -> Response:
        return Response(ElevatorOut(selectors.elevators_visible_to(_user(request))[:2000], many=True).data)


class MaintenanceApi(APIView):
    permission_classes = [roles_permission(STAFF_ROLES, write_roles=[*BUREAU_ROLES, Role.COMPANY_STAFF])]

    @extend_schema(
        request=MaintenanceIn,
        responses={201: MaintenanceOut, 200: MaintenanceOut} | api_errors(400, *AUTH_ERRORS, 404),
        summary="登记电梯维保记录（物业企业）",
    )
    def post(self, request: Request, pk: int) -> Response:
        elevator = selectors.elevator_get_visible(_user(request), pk=pk)
        s = MaintenanceIn(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            record, created = services.maintenance_record(
                actor=_user(request), elevator=elevator, **s.validated_data
            )
        except DomainError as exc:
            return _error(exc)
        data = MaintenanceOut(
            {
                **{f: getattr(record, f) for f in ("id", "done_on", "done_by", "items")},
                "elevator": elevator,
                "created": created,
            }
        ).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CountyApi(APIView):
    permission_classes = [roles_permission(COUNTY_READ_ROLES)]

    @extend_schema(
        responses={200: CountyRowOut(many=True)} | api_errors(*AUTH_ERRORS), summary="全县电梯年限与更新改造"
    )
    def get(self, request: Request) -> Response:
        rows = selectors.elevator_county_table(_user(request))
        bands = [label for label, _, _ in selectors.AGE_BANDS]
        out = [
            {
                "estate": r["estate"].code,
                "estate_name": r["estate"].name,
                "town": r["estate"].town.name,
                "total": r["total"],
                "age_bands": dict(zip(bands, r["band_counts"], strict=True)),
                "stages": dict(zip(RenewalStage.values, r["stage_counts"], strict=True)),
                "inspection_failed": r["failed"],
                "renewal_due_not_started": r["due"],
            }
            for r in rows
        ]
        return Response(CountyRowOut(out, many=True).data)


class HandoverListApi(APIView):
    permission_classes = [roles_permission(STAFF_ROLES)]

    @extend_schema(
        responses={200: HandoverOut(many=True)} | api_errors(*AUTH_ERRORS), summary="退出移交及清单"
    )
    def get(self, request: Request) -> Response:
        qs = selectors.handovers_visible_to(_user(request)).prefetch_related("items")[:500]
        return Response(HandoverOut(qs, many=True).data)


urlpatterns = [
    path("elevators/", ElevatorListApi.as_view(), name="assets-api-elevators"),
    path("elevators/county/", CountyApi.as_view(), name="assets-api-county"),
    path("elevators/<int:pk>/maintenance/", MaintenanceApi.as_view(), name="assets-api-maintenance"),
    path("handovers/", HandoverListApi.as_view(), name="assets-api-handovers"),
]
