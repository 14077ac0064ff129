from typing import Any

from django import forms

from wuye.kernel.taxonomy import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    text = forms.CharField(label="工作进展和成效", widget=forms.Textarea(attrs={"rows": 10}), required=False)
    attachments = MultipleFileField(label="附件（图片或 PDF，最多 9 个）", required=False)
    refresh = forms.BooleanField(label="按台账重新统计本月数据", required=False)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="专班意见（退回时必填）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NotableForm(forms.Form):
    number = forms.CharField(label="事项编号", max_length=32)
    summary = forms.CharField(label="一句话概述", max_length=200)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    town = forms.TypedChoiceField(label="乡镇/街道", required=False, coerce=int, empty_value=None)
    company = forms.TypedChoiceField(label="物业企业", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="问题类别", required=False, choices=[("", "全部"), *Category.choices])

    def __init__(
        self, *args: Any, towns: list[tuple[int, str]], companies: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["town"].choices = [("", "全部"), *towns]  # type: ignore[attr-defined]
        self.fields["company"].choices = [("", "全部"), *companies]  # type: ignore[attr-defined]
