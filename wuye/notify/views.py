from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from wuye.kernel.http import authed_user

from . import selectors
from .services import notifications_mark_read


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    user = authed_user(request)
    page = Paginator(selectors.inbox(user), 30).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page": page, "unread": selectors.unread_count(user)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = authed_user(request)
    notifications_mark_read(actor=user, user=user)
    return redirect("notify:inbox")
