"""Open311 GeoReport v2 (/open311/v2/): the §4 taxonomy as services; service requests are leads.

JSON or XML by the extension; times in ISO-8601 with +08:00; errors as the spec's error arrays (400/403/404).
Never any complainant contact in responses; phone numbers and the complainant's name are masked in texts.
"""

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: N817, S405 - we only build XML, never parse it
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from wuye.common.errors import DomainError
from wuye.common.text import check_text, strip_bidi
from wuye.kernel.actors import PublicActor
from wuye.kernel.conf import county_setting
from wuye.kernel.taxonomy import GROUPS, PLAIN_HINTS, Category, group_of
from wuye.registry.models import Estate

from .matching import EstateMatcher
from .models import Channel, Lead, Open311Client
from .ratelimit import rate_limited
from .selectors import effective_case, lead_is_closed, public_text
from .services import qr_submit

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
ESTATE_ATTRIBUTE = "estate_code"


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering -------------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    end = timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59, 59)))
    return end.isoformat(timespec="seconds")


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        wrapper = ET.SubElement(parent, key)
        singular = key[:-1] if key.endswith("s") else "item"
        for item in value:
            child = ET.SubElement(wrapper, singular)
            if isinstance(item, dict):
                for k, v in item.items():
                    _xml_value(child, k, v)
            else:
                child.text = str(item)
        return
    el = ET.SubElement(parent, key)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def render(data: Any, fmt: str, *, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        rows = data if isinstance(data, list) else [data]
        for row in rows:
            el = ET.SubElement(top, item) if item else top
            for k, v in row.items():
                _xml_value(el, k, v)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(
        [{"code": status, "description": description}], fmt, root="errors", item="error", status=status
    )


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except ApiError as exc:
            return error(fmt, exc.status, exc.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- services --------------------------------------------------------------------------------------------


def _service(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": Category(code).label,
        "description": PLAIN_HINTS.get(code, ""),
        "metadata": True,
        "type": "realtime",
        "keywords": PLAIN_HINTS.get(code, "").replace("、", ","),
        "group": GROUPS[group_of(code)],
    }


@rate_limited("open311_read", methods=("GET",), json=True)
@api_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = (
        request.build_absolute_uri(reverse("intake:open311:discovery", kwargs={"fmt": "json"})).rsplit(
            "/", 1
        )[0]
        + "/"
    )
    data = {
        "changeset": "2025-06-01T00:00:00+08:00",
        "contact": f"{county_setting('BUREAU_NAME')}物业服务整治专班（12345）",
        "key_service": "提交服务请求需要 api_key，请向县住建局申请。",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2025-06-01T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(data, fmt, root="discovery")


@rate_limited("open311_read", methods=("GET",), json=True)
@api_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render([_service(c) for c in Category.values], fmt, root="services", item="service")


@rate_limited("open311_read", methods=("GET",), json=True)
@api_view
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if code not in Category.values:
        raise ApiError(404, f"没有编码为“{code}”的服务")
    data = {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": ESTATE_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": "小区编码（见小区公告栏二维码海报）",
                "order": 1,
                "description": "小区编码（扩展字段；不填则按地址或经纬度匹配小区）",
            }
        ],
    }
    return render(data, fmt, root="service_definition")


# --- requests --------------------------------------------------------------------------------------------


def request_dict(lead: Lead) -> dict[str, Any]:
    case = effective_case(lead)
    closed = lead_is_closed(lead)
    code = lead.category or lead.category_hint or (case.category if case is not None else "")
    if lead.status == "rejected":
        notes = "不属于本次整治范围" + (f"：{lead.reject_reason}" if lead.reject_reason else "")
    elif lead.status == "transferred":
        notes = f"已转办至{lead.transfer_department}"
    elif case is not None:
        notes = f"台账事项 {case.number}：{case.get_status_display()}"
        if closed and case.closed_reason:
            notes += f"。{case.closed_reason}"
    else:
        notes = "已收到，等待专班分拣"
    updated = max(lead.updated_at, case.updated_at) if case is not None else lead.updated_at
    deadline = (case.deadline if case is not None and case.deadline else None) or lead.due_date
    estate = lead.estate
    media = lead.evidence.get("media_url", "") if isinstance(lead.evidence, dict) else ""
    return {
        "service_request_id": str(lead.pk),
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": Category(code).label if code in Category.values else "",
        "service_code": code,
        "description": public_text(lead),
        "agency_responsible": county_setting("BUREAU_NAME"),
        "service_notice": "",
        "requested_datetime": _iso(lead.created_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(deadline),
        "address": estate.name if estate else "",
        "address_id": estate.code if estate else "",
        "zipcode": None,
        "lat": float(estate.latitude) if estate and estate.latitude is not None else None,
        "long": float(estate.longitude) if estate and estate.longitude is not None else None,
        "media_url": media,
    }


def _parse_when(value: str, name: str, *, end: bool = False) -> dt.datetime:
    try:  # both raise ValueError on a well-formed impossible value such as 2024-13-45
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError:
        parsed = day = None
    if parsed is None:
        if day is None:
            raise ApiError(400, f"{name} 不是 ISO-8601 时间：{value}")
        parsed = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _query(request: HttpRequest) -> list[Lead]:
    qs = Lead.objects.select_related("estate", "case", "case__merged_into").exclude(channel=Channel.CHECK)
    params = request.GET
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if not all(i.isdigit() for i in ids):
            raise ApiError(400, "service_request_id 必须是数字，多个用逗号分隔")
        return list(qs.filter(pk__in=ids).order_by("-created_at")[:MAX_RESULTS])
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        unknown = [c for c in codes if c not in Category.values]
        if unknown:
            raise ApiError(400, f"service_code 不存在：{'、'.join(unknown)}")
        qs = qs.filter(Q(category__in=codes) | Q(category="", category_hint__in=codes))
    start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and start > end:
        raise ApiError(400, "start_date 晚于 end_date")
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise ApiError(400, "status 只能是 open 或 closed")
    leads = list(qs.order_by("-created_at", "-id")[:MAX_RESULTS])
    if statuses and statuses != {"open", "closed"}:
        want_closed = "closed" in statuses
        leads = [lead for lead in leads if lead_is_closed(lead) == want_closed]
    return leads


def _client(request: HttpRequest) -> Open311Client:
    key = (request.POST.get("api_key") or "").strip()
    client = Open311Client.objects.filter(api_key=key, active=True).first() if key else None
    if client is None:
        raise ApiError(403, "api_key 无效或未提供")
    return client


def _decimal(value: str, name: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ApiError(400, f"{name} 不是数字") from None
    if not number.is_finite() or not low <= number <= high:
        raise ApiError(400, f"{name} 超出范围")
    return number


def _estate_for(post: Any) -> tuple[Estate | None, bool, dict[str, Any]]:
    code = (post.get(f"attribute[{ESTATE_ATTRIBUTE}]") or post.get(ESTATE_ATTRIBUTE) or "").strip()
    if code:
        estate = Estate.objects.filter(code=code).first()
        if estate is None:
            raise ApiError(400, f"小区编码“{code}”不存在")
        return estate, False, {"how": "code"}
    address = (post.get("address_string") or "").strip()
    lat, lon = post.get("lat", "").strip(), post.get("long", "").strip()
    if address:
        match = EstateMatcher().match(address)
        if match.estate is not None or not (lat and lon):
            return match.estate, match.needs_confirmation, match.evidence()
    if lat and lon:
        la, lo = _decimal(lat, "lat", -90, 90), _decimal(lon, "long", -180, 180)
        box = Decimal("0.005")  # ~500 m
        near = [
            e
            for e in Estate.objects.filter(
                latitude__range=(la - box, la + box), longitude__range=(lo - box, lo + box)
            )
        ]

        def distance2(e: Estate) -> Decimal:
            assert (
                e.latitude is not None and e.longitude is not None
            )  # the range filter leaves out empty ones
            return (e.latitude - la) ** 2 + (e.longitude - lo) ** 2

        near.sort(key=distance2)
        return (near[0] if near else None), True, {"how": "latlong", "lat": str(la), "long": str(lo)}
    raise ApiError(400, "需要位置：address_string、lat 和 long，或扩展字段 estate_code 之一")


SINGLE_LINE = {
    "email",
    "media_url",
    "phone",
    "first_name",
    "last_name",
    "api_key",
    "service_code",
    "device_id",
}


def _checked_post(request: HttpRequest) -> Any:
    """Every submitted value free of control characters (NUL is a 500 on PostgreSQL); one-line fields of breaks."""
    for key, values in request.POST.lists():
        for value in values:
            try:
                check_text(value, field=key, multiline=key not in SINGLE_LINE)
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
    return request.POST


def _email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_email(value)  # refuses CR/LF (header injection) and anything that is not one address
    except ValidationError:
        raise ApiError(400, "email 不是有效的电子邮件地址") from None
    if len(value) > 200:
        raise ApiError(400, "email 超过 200 个字符")
    return value


_MEDIA_URL = URLValidator(schemes=["http", "https"])


def _media_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if len(value) > 500:
        raise ApiError(400, "media_url 超过 500 个字符")
    try:
        _MEDIA_URL(value)
    except ValidationError:
        raise ApiError(400, "media_url 必须是 http 或 https 网址") from None
    return value


@csrf_exempt
@rate_limited("open311_read", methods=("GET",), json=True)
@rate_limited("open311_write", methods=("POST",), json=True)
@api_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return render(
            [request_dict(lead) for lead in _query(request)], fmt, root="service_requests", item="request"
        )
    if request.method != "POST":
        raise ApiError(400, "只支持 GET 和 POST")
    post = _checked_post(request)  # before the api_key look-up: a NUL there is a 500 on PostgreSQL too
    client = _client(request)
    code = (post.get("service_code") or "").strip()
    if code not in Category.values:
        raise ApiError(400, f"service_code 不存在：{code or '（空）'}")
    description = strip_bidi(post.get("description") or "").strip()
    if not description:
        raise ApiError(400, "description 不能为空")
    estate, needs_confirmation, how = _estate_for(post)
    first, last = (
        strip_bidi(post.get("first_name", "")).strip(),
        strip_bidi(post.get("last_name", "")).strip(),
    )
    name = f"{last}{first}" if not (first + last).isascii() else " ".join(x for x in (first, last) if x)
    address_string = strip_bidi(post.get("address_string") or "").strip()[:300]
    evidence = {
        "open311_client": client.name,
        "estate_match": how,
        "media_url": _media_url(post.get("media_url") or ""),
        "address_string": address_string,
    }
    idem = (request.headers.get("Idempotency-Key") or post.get("idempotency_key") or "").strip()
    email = _email(post.get("email") or "")
    try:  # one INSERT with every field: the lead-created hooks see the whole lead
        result = qr_submit(
            actor=PublicActor("open311"),
            estate=estate,
            text=description,
            category_hint=code,
            name=name,
            phone=post.get("phone", ""),
            anonymous=not (name or post.get("phone") or email),
            idem_key=f"{client.pk}-{idem}" if idem else "",
            channel=Channel.WEB,
            evidence=evidence,
            address=address_string,
            email=email,
            estate_needs_confirmation=needs_confirmation or estate is None,
        )
    except DomainError as exc:
        raise ApiError(400, exc.message) from None
    lead = result.lead
    data = [
        {
            "service_request_id": str(lead.pk),
            "token": lead.tracking_code,
            "service_notice": "",
            "account_id": None,
        }
    ]
    return render(data, fmt, root="service_requests", item="request", status=201 if result.created else 200)


@rate_limited("open311_read", methods=("GET",), json=True)
@api_view
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    lead = (
        Lead.objects.select_related("estate", "case", "case__merged_into")
        .exclude(channel=Channel.CHECK)
        .filter(pk=int(request_id))
        .first()
    )
    if lead is None:
        raise ApiError(404, f"服务请求 {request_id} 不存在")
    return render([request_dict(lead)], fmt, root="service_requests", item="request")


@rate_limited("track", methods=("GET",), json=True)
@api_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    lead = Lead.objects.filter(tracking_code=token.upper()).only("pk", "tracking_code").first()
    if lead is None:
        raise ApiError(404, f"token {token} 不存在")
    return render(
        [{"service_request_id": str(lead.pk), "token": lead.tracking_code}],
        fmt,
        root="service_requests",
        item="request",
    )
