from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers

from wuye.common.api_schema import AUTH_ERRORS, api_errors
from wuye.common.permissions import roles_permission
from wuye.kernel.roles import STAFF_ROLES

from .models import Estate
from .selectors import estates_visible_to

if TYPE_CHECKING:
    from wuye.accounts.models import User


class EstateSerializer(serializers.ModelSerializer[Estate]):
    town = serializers.CharField(source="town.name")

    class Meta:
        model = Estate
        fields = ["code", "name", "town", "address", "aliases"]


@extend_schema_view(
    get=extend_schema(responses={200: EstateSerializer(many=True)} | api_errors(*AUTH_ERRORS, 404))
)
class EstateListApi(generics.ListAPIView[Estate]):
    serializer_class = EstateSerializer
    permission_classes = [roles_permission(STAFF_ROLES)]

    def get_queryset(self) -> QuerySet[Estate]:
        return estates_visible_to(cast("User", self.request.user)).order_by("code")


urlpatterns = [path("estates/", EstateListApi.as_view(), name="api-estates")]
