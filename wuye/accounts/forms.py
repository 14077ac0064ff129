from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm

if TYPE_CHECKING:
    from .models import User


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def confirm_login_allowed(self, user: "User") -> None:
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


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="调用方，如“12345平台”“市住建局监管系统”")
    role = forms.ChoiceField(label="权限角色", choices=[])
    read_only = forms.BooleanField(label="只读（只能查询，不能新增或修改）", required=False, initial=True)
    groups = forms.MultipleChoiceField(
        label="允许的接口组",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则可访问全部接口组",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .apitokens import TOKEN_ROLES
        from .models import API_GROUPS

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = list(TOKEN_ROLES.items())
        cast(forms.ChoiceField, self.fields["groups"]).choices = list(API_GROUPS.items())


class EnrolmentLinkForm(forms.Form):
    user: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label="专班工作人员", queryset=None, empty_label="请选择"
    )

    def __init__(self, *args: Any, head: "User | None" = None, **kwargs: Any) -> None:
        from .enrolment import enrolment_candidates

        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["user"]).queryset = enrolment_candidates(head)
