from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from wuye.common.errors import DomainError

from . import services
from .forms import PhoneCodeForm, PhoneForm, StaffLoginForm


class StaffLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


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
                services.otp_request(phone=form.cleaned_data["phone"])
            except DomainError as exc:
                form.add_error("phone", exc.message)
            else:
                messages.info(request, "验证码已发送到您的手机，5 分钟内有效。")
                form = PhoneCodeForm(initial={"phone": form.cleaned_data["phone"]})
                step = "code"
    elif request.method == "POST" and step == "code":
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                user = services.otp_verify(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
            except DomainError as exc:
                form.add_error("code" if exc.field == "验证码" else "phone", exc.message)
            else:
                login(request, user, backend="wuye.accounts.backends.PhoneCodeBackend")
                return redirect(next_url)
    return render(request, "accounts/owner_login.html", {"form": form, "step": step, "next": next_url})
