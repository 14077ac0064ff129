"""The error answers of the REST API, declared once so every view documents the same shapes (finding 10)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(required=False, allow_null=True, help_text="出错的字段（如有）")


_DESCRIPTIONS = {
    400: "输入有误：{字段: [原因]} 或 {detail, field}",
    401: "未登录",
    403: "未登录，或角色无权进行此操作",
    404: "不存在，或不在您的权限范围内",
    409: "当前状态不允许此操作",
    503: "服务暂不可用",
}


def api_errors(*codes: int) -> dict[int, Any]:
    """`responses=` entries for the given error statuses (400 carries DRF's per-field errors too)."""
    out: dict[int, Any] = {}
    for code in codes:
        schema: Any = OpenApiTypes.OBJECT if code == 400 else ApiErrorSerializer
        out[code] = OpenApiResponse(response=schema, description=_DESCRIPTIONS[code])
    return out


AUTH_ERRORS = (401, 403)
