"""The county web form (我要反映问题): the QR form's fields, plus where the problem is."""

from typing import Any

from django import forms

from wuye.intake.forms import QrForm
from wuye.registry.models import Town


class WebReportForm(QrForm):
    town = forms.ModelChoiceField(
        label="所在乡镇/街道（可不选）",
        queryset=Town.objects.select_related("county").order_by("code"),  # the county holds an unplaced lead
        required=False,
        empty_label="全县",
    )
    estate = forms.CharField(
        label="小区",
        max_length=100,
        required=False,
        help_text="输入小区名称或拼音首字母，例如“阳光花园”或“yghy”",
        widget=forms.TextInput(attrs={"list": "estate-names", "autocomplete": "off"}),
    )
    estate_code = forms.CharField(required=False, widget=forms.HiddenInput)
    estate_unknown = forms.BooleanField(label="不知道小区名称", required=False)
    address = forms.CharField(
        label="地址或位置（不知道小区时必填）",
        max_length=300,
        required=False,
        help_text="例如：钟山镇新华路 18 号旁边的居民楼",
    )

    field_order = ["town", "estate", "estate_unknown", "address", "text", "category"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        estate = (data.get("estate") or "").strip()
        if data.get("estate_unknown"):
            if not (data.get("address") or "").strip():
                self.add_error("address", "不知道小区名称时，请写明大概地址，方便工作人员找到")
        elif not estate and not data.get("estate_code"):
            self.add_error("estate", "请输入小区名称或拼音首字母，或勾选“不知道小区名称”")
        return data
