from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def confirm_login_allowed(self, user):  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        if user.role == "owner":
            raise forms.ValidationError("业主请使用手机号和验证码登录。", code="owner")


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}),
    )


class PhoneCodeForm(PhoneForm):
    code = forms.CharField(
        label="验证码",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        max_length=6,
        min_length=6,
        help_text="手机身份验证器上显示的 6 位数字",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
