import time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.kernel.actors import PublicActor
from wuye.kernel.conf import county_setting

from . import selectors, services, totp
from .forms import PhoneCodeForm, PhoneForm, StaffLoginForm, TotpForm
from .models import User

PENDING_KEY, PENDING_SECONDS = "wuye_pending_2fa", 300
OWNER_LOGIN = PublicActor("web")  # an owner logging in with phone and code is not yet anyone


class StaffLoginView(LoginView):
    """Password first; bureau staff with a second factor (or required to have one) continue to the code page."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if user.has_second_factor or services.second_factor_required(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "next": self.get_success_url(),
                "until": time.time() + PENDING_SECONDS,
                "secret": "" if user.has_second_factor else totp.new_secret(),
            }
            return redirect("accounts:login_code")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: the TOTP code; a bureau user without one enrols here first (QR for the authenticator app)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "登录已超时，请重新输入用户名和密码。")
        return redirect("accounts:login")
    user = selectors.user_pending_login(pending["user"])
    if user is None:
        return redirect("accounts:login")
    enrolling = bool(pending.get("secret"))
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolling:
                services.totp_confirm(
                    actor=user, user=user, secret=pending["secret"], code=form.cleaned_data["code"]
                )
            else:
                services.totp_check(actor=user, user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(pending["next"])
    ctx: dict[str, Any] = {"form": form, "enrolling": enrolling, "account": user.username}
    if enrolling:
        ctx.update(_enrol_context(user, pending["secret"]))
    return render(request, "accounts/login_code.html", ctx)


def _enrol_context(user: User, secret: str) -> dict[str, Any]:
    uri = totp.provisioning_uri(secret, account=user.username, issuer=county_setting("BUREAU_NAME"))
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, title="动态口令二维码")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"qr_svg": qr_svg, "secret": grouped}


@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """A logged-in staff member turns the second factor on for their account."""
    if not request.user.is_authenticated or request.user.role == "owner":
        return redirect("accounts:login")
    user: User = request.user  # type: ignore[assignment]
    if user.has_second_factor:
        return render(request, "accounts/second_factor.html", {"enabled": True})
    secret = request.session.get("wuye_enrol_secret") or totp.new_secret()
    request.session["wuye_enrol_secret"] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_confirm(actor=user, user=user, secret=secret, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop("wuye_enrol_secret", None)
            messages.success(request, "已启用动态口令：以后登录需输入手机上的 6 位口令。")
            return redirect("portal:home")
    return render(request, "accounts/second_factor.html", {"form": form, **_enrol_context(user, secret)})


class StaffLogoutView(LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def owner_login(request: HttpRequest) -> HttpResponse:
    """Two steps without JavaScript: ask for the phone, send a code; then phone + code."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    step = request.POST.get("step", "phone")
    form: PhoneForm = PhoneForm()
    if request.method == "POST" and step == "phone":
        form = PhoneForm(request.POST)
        if form.is_valid():
            try:
                services.otp_request(actor=OWNER_LOGIN, phone=form.cleaned_data["phone"])
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.info(request, "验证码已发送到您的手机，5 分钟内有效。")
                form = PhoneCodeForm(initial={"phone": form.cleaned_data["phone"]})
                step = "code"
    elif request.method == "POST" and step == "code":
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                user = services.otp_verify(
                    actor=OWNER_LOGIN, phone=form.cleaned_data["phone"], code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                login(request, user, backend="wuye.accounts.backends.PhoneCodeBackend")
                return redirect(next_url)
    return render(request, "accounts/owner_login.html", {"form": form, "step": step, "next": next_url})
