"""The Open311 GeoReport v2 endpoints (JSON format) as an OpenAPI 3 document: the contract the fuzz test checks.

Open311 is served by plain Django views (not DRF), so drf-spectacular does not describe it; this document does, as
the GeoReport v2 specification and our extensions (attribute[estate_code], Idempotency-Key) define it."""

from typing import Any

DEMO_API_KEY = "demo-open311-key"

_error = {
    "description": "错误",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                },
            }
        }
    },
}
_nullable_str = {"type": "string", "nullable": True}
_request = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "description", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": {"type": "string"},
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {"type": "string"},
        "agency_responsible": {"type": "string"},
        "service_notice": {"type": "string"},
        "requested_datetime": _nullable_str,
        "updated_datetime": _nullable_str,
        "expected_datetime": _nullable_str,
        "address": {"type": "string"},
        "address_id": {"type": "string"},
        "zipcode": _nullable_str,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": {"type": "string"},
    },
}
_token = {
    "type": "object",
    "required": ["service_request_id", "token"],
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
}


def _json(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string", **schema}}


def _path(name: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": pattern}}


OPEN311_SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "wuye Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {
            "get": {
                "responses": {
                    "200": _json({"type": "object", "required": ["endpoints"]}),
                    "429": _json({"type": "object"}, "过于频繁"),
                }
            }
        },
        "/open311/v2/services.json": {
            "get": {
                "responses": {
                    "200": _json(
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["service_code", "service_name", "metadata", "type"],
                                "properties": {
                                    "service_code": {"type": "string"},
                                    "service_name": {"type": "string"},
                                    "metadata": {"type": "boolean"},
                                    "type": {"type": "string"},
                                },
                            },
                        }
                    ),
                    "429": _json({"type": "object"}, "过于频繁"),
                }
            }
        },
        "/open311/v2/services/{code}.json": {
            "get": {
                "parameters": [_path("code", "^[0-9.]+$")],
                "responses": {
                    "200": _json({"type": "object", "required": ["service_code", "attributes"]}),
                    "404": _error,
                    "429": _json({"type": "object"}, "过于频繁"),
                },
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "parameters": [
                    _query("service_request_id"),
                    _query("service_code"),
                    _query("start_date"),
                    _query("end_date"),
                    _query("status"),
                ],
                "responses": {
                    "200": _json({"type": "array", "items": _request}),
                    "400": _error,
                    "429": _json({"type": "object"}, "过于频繁"),
                },
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["api_key", "service_code", "description"],
                                "properties": {
                                    "api_key": {"type": "string", "enum": [DEMO_API_KEY]},
                                    "service_code": {"type": "string"},
                                    "description": {"type": "string"},
                                    "attribute[estate_code]": {"type": "string"},
                                    "address_string": {"type": "string"},
                                    "lat": {"type": "string"},
                                    "long": {"type": "string"},
                                    "first_name": {"type": "string"},
                                    "last_name": {"type": "string"},
                                    "phone": {"type": "string"},
                                    "email": {"type": "string"},
                                    "media_url": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "array", "items": _token}, "重复提交（同一 Idempotency-Key）"),
                    "201": _json({"type": "array", "items": _token}, "已受理"),
                    "400": _error,
                    "403": _error,
                    "429": _json({"type": "object"}, "过于频繁"),
                },
            },
        },
        "/open311/v2/requests/{request_id}.json": {
            "get": {
                "parameters": [_path("request_id", "^[0-9]{1,18}$")],
                "responses": {
                    "200": _json({"type": "array", "items": _request}),
                    "404": _error,
                    "429": _json({"type": "object"}, "过于频繁"),
                },
            }
        },
        "/open311/v2/tokens/{token}.json": {
            "get": {
                "parameters": [_path("token", "^[A-Za-z0-9]{1,20}$")],
                "responses": {
                    "200": _json({"type": "array", "items": _token}),
                    "404": _error,
                    "429": _json({"type": "object"}, "过于频繁"),
                },
            }
        },
    },
}
