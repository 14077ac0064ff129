"""REST API routes of the voting app (mounted under /api/v1/voting/). Read-only: votes are cast on the pages."""

from typing import Any, cast

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.accounts.permissions import roles_permission
from wuye.common.api_schema import AUTH_ERRORS, api_errors

from . import selectors, services
from .models import Assembly

VOTING_ROLES = (*BUREAU_ROLES, Role.COMMITTEE_MEMBER, Role.OWNER)


class AssemblySerializer(serializers.ModelSerializer[Assembly]):
    estate = serializers.CharField(source="estate.code")
    estate_name = serializers.CharField(source="estate.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Assembly
        fields = [
            "id",
            "estate",
            "estate_name",
            "title",
            "status",
            "status_label",
            "vote_start",
            "vote_end",
            "total_persons",
            "total_area",
            "objection_end",
        ]


class ParticipationOut(serializers.Serializer[Any]):
    """Persons and area only (never who voted how); amounts and percentages as decimal strings."""

    persons = serializers.IntegerField()
    area = serializers.CharField()
    paper = serializers.IntegerField()
    online = serializers.IntegerField()
    total_persons = serializers.IntegerField()
    total_area = serializers.CharField()
    persons_pct = serializers.CharField()
    area_pct = serializers.CharField()
    persons_met = serializers.BooleanField()
    area_met = serializers.BooleanField()
    line_pct = serializers.CharField()


class ResultOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    estate = serializers.CharField(help_text="小区编码")
    title = serializers.CharField()
    status = serializers.CharField()
    objection_end = serializers.DateField(allow_null=True)
    digest = serializers.CharField()
    electorate_digest = serializers.CharField()
    motions = serializers.ListField(child=serializers.DictField(), help_text="各表决事项的计票结果")


@extend_schema(responses={200: AssemblySerializer(many=True)} | api_errors(*AUTH_ERRORS))
@api_view(["GET"])
@permission_classes([roles_permission(VOTING_ROLES)])
def assembly_list(request: Request) -> Response:
    qs = selectors.assembly_list(cast(User, request.user))
    return Response(AssemblySerializer(qs[:200], many=True).data)


@extend_schema(responses={200: ParticipationOut} | api_errors(*AUTH_ERRORS, 404))
@api_view(["GET"])
@permission_classes([roles_permission((*BUREAU_ROLES, Role.COMMITTEE_MEMBER))])
def participation(request: Request, pk: int) -> Response:
    """Live participation (persons and area only) for the estate's committee and the task force."""
    user = cast(User, request.user)  # the permission class admits logged-in users only
    assembly = selectors.assembly_get_visible(user, pk=pk)
    if not services.can_manage(user, assembly.estate_id):
        raise PermissionDenied("只有本小区业委会或县专班可以查看")
    p: dict[str, Any] = selectors.participation(assembly)
    return Response({k: str(v) if not isinstance(v, bool | int) else v for k, v in p.items()})


@extend_schema(responses={200: ResultOut} | api_errors(404))
@api_view(["GET"])
@permission_classes([AllowAny])
def result(request: Request, pk: int) -> Response:
    """A published result with its digest: public, no names."""
    assembly = selectors.assembly_get_published(pk=pk)
    return Response(
        {
            "id": assembly.pk,
            "estate": assembly.estate.code,
            "title": assembly.title,
            "status": assembly.status,
            "objection_end": assembly.objection_end,
            "digest": assembly.digest,
            "electorate_digest": assembly.electorate_digest,
            "motions": (assembly.result or {}).get("motions", []),
        }
    )


urlpatterns = [
    path("assemblies/", assembly_list, name="voting-api-assemblies"),
    path("assemblies/<int:pk>/participation/", participation, name="voting-api-participation"),
    path("assemblies/<int:pk>/result/", result, name="voting-api-result"),
]
