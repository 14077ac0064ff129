"""The office head's account-security pages: machines' API tokens, enrolment links, login-code statistics."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error

from . import apitokens, enrolment
from .forms import ApiTokenForm, EnrolmentLinkForm
from .http import AuthedHttpRequest
from .models import Role, SmsOutcome
from .permissions import role_required
from .smsguard import sms_counts_by_day


@role_required(Role.BUREAU_ADMIN)
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthedHttpRequest) -> HttpResponse:
    """List and create tokens. A new token is shown on this one response only, never stored in clear."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = apitokens.api_token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                read_only=form.cleaned_data["read_only"],
                groups=form.cleaned_data["groups"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            created = {"token": token, "raw": raw}
            form = ApiTokenForm()
    ctx = {"form": form, "created": created, "tokens": apitokens.api_tokens_list(request.user)}
    return render(request, "accounts/api_tokens.html", ctx)


@role_required(Role.BUREAU_ADMIN)
@require_POST
def api_token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(apitokens.api_tokens_list(request.user), pk=pk)
    apitokens.api_token_revoke(actor=request.user, token_id=token.pk)
    messages.success(request, f"已吊销接口令牌“{token.name}”，使用它的请求将被拒绝。")
    return redirect("accounts:api_tokens")


@role_required(Role.BUREAU_ADMIN)
@never_cache
@require_http_methods(["GET", "POST"])
def enrolment_links(request: AuthedHttpRequest) -> HttpResponse:
    """Issue a one-time link for a bureau user to bind an authenticator app; shown once."""
    form = EnrolmentLinkForm(request.POST or None, head=request.user)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            link, raw = enrolment.enrolment_link_issue(
                actor=request.user,
                user_id=form.cleaned_data["user"].pk,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            url = request.build_absolute_uri(reverse("accounts:enrol_link", args=[raw]))
            issued = {"link": link, "url": url}
            form = EnrolmentLinkForm(head=request.user)
    ctx = {"form": form, "issued": issued, "links": enrolment.enrolment_links_recent(head=request.user)}
    return render(request, "accounts/enrolment_links.html", ctx)


@role_required(Role.BUREAU_ADMIN)
def sms_stats(request: AuthedHttpRequest) -> HttpResponse:
    ctx = {"rows": sms_counts_by_day(30), "outcomes": SmsOutcome.choices}
    return render(request, "accounts/sms_stats.html", ctx)
