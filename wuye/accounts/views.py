import time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from wuye.common.clientip import client_ip
from wuye.common.errors import DomainError
from wuye.common.forms import form_add_domain_error
from wuye.kernel.actors import PublicActor
from wuye.kernel.conf import county_setting

from . import enrolment, selectors, services, totp
from .authentication import second_factor_mark
from .forms import PhoneCodeForm, PhoneForm, StaffLoginForm, TotpForm
from .models import User

PENDING_KEY, PENDING_SECONDS = "wuye_pending_2fa", 300
ENROL_LINK_KEY = "wuye_enrol_link"
SENT_MESSAGE = (
    "如该手机号已登记为本县业主，验证码已发送，5 分钟内有效；未收到请核对号码或联系业委会、物业核对档案。"
)
OWNER_LOGIN = PublicActor("web")  # an owner logging in with phone and code is not yet anyone


class StaffLoginView(LoginView):
    """Password first; bureau staff with a second factor (or required to have one) continue to the code page.
    A bureau user without one binds it only with the office head's enrolment link, never with the password alone."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        link = None
        if services.second_factor_applies(user) and not user.has_second_factor:
            link = enrolment.enrolment_link_pending(self.request.session.get(ENROL_LINK_KEY), user)
            if link is None and services.second_factor_required(user):
                form.add_error(None, NEEDS_LINK)
                return self.form_invalid(form)
        if user.has_second_factor or link is not None:
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "next": self.get_success_url(),
                "until": time.time() + PENDING_SECONDS,
                "secret": "" if user.has_second_factor else totp.new_secret(),
                "link": link.pk if link is not None else None,
                "failures": 0,
            }
            return redirect("accounts:login_code")
        return super().form_valid(form)


NEEDS_LINK = "该账号尚未绑定动态口令：请使用专班办公室负责人签发的绑定链接打开本系统，再登录绑定。"


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: the TOTP code; a bureau user who came with an enrolment link binds the app here first.
    Wrong codes are limited per session (`TOTP_MAX_FAILURES_SESSION`, then the password again) and per account
    (`TOTP_MAX_FAILURES_ACCOUNT`, in `services.totp_check`)."""
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
                enrolment.totp_enrol_with_link(
                    actor=user,
                    link_id=pending.get("link"),
                    secret=pending["secret"],
                    code=form.cleaned_data["code"],
                )
            else:
                services.totp_check(actor=user, user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            pending["failures"] = pending.get("failures", 0) + 1
            if pending["failures"] >= county_setting("TOTP_MAX_FAILURES_SESSION"):
                del request.session[PENDING_KEY]
                messages.error(request, "动态口令错误次数过多，请重新输入用户名和密码。")
                return redirect("accounts:login")
            request.session[PENDING_KEY] = pending
            form.add_error("code", exc.message)
        else:
            del request.session[PENDING_KEY]
            request.session.pop(ENROL_LINK_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            second_factor_mark(request, user)
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
    """A logged-in staff member turns the second factor on for their account; bureau staff need the office
    head's enrolment link for it (opened in this session), so a stolen password cannot bind a stranger's phone."""
    if not request.user.is_authenticated or request.user.role == "owner":
        return redirect("accounts:login")
    user: User = request.user
    if user.has_second_factor:
        return render(request, "accounts/second_factor.html", {"enabled": True})
    link = None
    if services.second_factor_applies(user):
        link = enrolment.enrolment_link_pending(request.session.get(ENROL_LINK_KEY), user)
        if link is None:
            return render(request, "accounts/second_factor.html", {"needs_link": True})
    secret = request.session.get("wuye_enrol_secret") or totp.new_secret()
    request.session["wuye_enrol_secret"] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if link is not None:
                enrolment.totp_enrol_with_link(actor=user, link_id=link.pk, secret=secret, code=code)
            else:
                services.totp_confirm(actor=user, user=user, secret=secret, code=code)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop("wuye_enrol_secret", None)
            request.session.pop(ENROL_LINK_KEY, None)
            second_factor_mark(request, user)  # the code was just proved in this session
            messages.success(request, "已启用动态口令：以后登录需输入手机上的 6 位口令。")
            return redirect("portal:home")
    return render(request, "accounts/second_factor.html", {"form": form, **_enrol_context(user, secret)})


@require_http_methods(["GET"])
def enrol_link(request: HttpRequest, token: str) -> HttpResponse:
    """The office head's one-time link: remember it in this session, then the password, then the QR code."""
    link = enrolment.enrolment_link_valid(token)
    if link is None:
        return render(request, "accounts/enrol_link.html", {"invalid": True}, status=404)
    request.session[ENROL_LINK_KEY] = link.pk
    if request.user.is_authenticated and request.user.pk == link.user_id:
        return redirect("accounts:second_factor")
    if request.user.is_authenticated:
        logout(request)
        request.session[ENROL_LINK_KEY] = link.pk
    messages.info(request, f"请以账号 {link.user.username} 输入密码，然后用手机身份验证器绑定动态口令。")
    return redirect("accounts:login")


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ is the staff login with its second factor (the admin's own form took the password alone)."""
    view = StaffLoginView.as_view(redirect_authenticated_user=False)
    return view(request)  # type: ignore[return-value]


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
                services.otp_request(
                    actor=OWNER_LOGIN, phone=form.cleaned_data["phone"], client=client_ip(request)
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:  # the same words for every phone: an unknown one simply gets no code
                messages.info(request, SENT_MESSAGE)
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
