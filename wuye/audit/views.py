"""The public page of audit checkpoints: anyone may save it and later check the chain against it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wuye.common.dates import now
from wuye.kernel.conf import county_setting

from .checkpoints import checkpoints_as_json
from .selectors import audit_checkpoints_public

PAGE_ROWS = 90


@require_GET
def checkpoints(request: HttpRequest) -> HttpResponse:
    rows = list(audit_checkpoints_public()[:PAGE_ROWS])
    return render(request, "audit/checkpoints.html", {"checkpoints": rows})


@require_GET
def checkpoints_json(request: HttpRequest) -> HttpResponse:
    data = checkpoints_as_json(
        audit_checkpoints_public(), county=str(county_setting("COUNTY_NAME")), generated_at=now()
    )
    resp = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    resp["Content-Disposition"] = 'inline; filename="audit-checkpoints.json"'
    return resp
