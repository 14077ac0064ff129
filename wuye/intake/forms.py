from typing import Any

from django import forms

from wuye.kernel.taxonomy import PLAIN_HINTS, Category

from .models import Channel
from .services import DESK_CHANNELS

CATEGORY_PLAIN = [("", "不确定（由工作人员判断）")] + [
    (code, f"{hint}") for code, hint in PLAIN_HINTS.items()
]
CATEGORY_STAFF = [("", "—— 未选择 ——")] + [(c.value, f"{c.value} {c.label}") for c in Category]


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content in the service (photos.process_photos)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class QrStartForm(forms.Form):
    text = forms.CharField(
        label="遇到了什么问题？",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="请写清楚地点（几栋几单元）和问题，例如：3栋电梯一周停了三次",
    )
    category = forms.ChoiceField(
        label="问题大概属于哪一类？（可不选）",
        choices=CATEGORY_PLAIN,
        required=False,
        widget=forms.RadioSelect,
    )


class QrForm(QrStartForm):
    photos = MultipleFileField(
        label="照片（可选，最多 6 张）", required=False, widget=MultiFileInput(attrs={"accept": "image/*"})
    )
    anonymous = forms.BooleanField(label="匿名反映（不留姓名和电话）", required=False)
    name = forms.CharField(label="您的称呼（可选）", max_length=60, required=False)
    phone = forms.CharField(
        label="联系电话（可选，便于回访）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    idem = forms.CharField(widget=forms.HiddenInput, required=False)


class JoinForm(QrForm):
    """The step-2 form sent with "是同一个问题": everything the resident wrote, plus the case they picked."""

    case = forms.CharField(max_length=40)


class TrackForm(forms.Form):
    code = forms.CharField(
        label="查询码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="满意度（您对处理结果满意吗？）",
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, "5 分 非常满意"),
            (4, "4 分 满意"),
            (3, "3 分 一般"),
            (2, "2 分 不满意"),
            (1, "1 分 非常不满意"),
        ],
    )
    comment = forms.CharField(
        label="评价（可选）", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NotFixedForm(forms.Form):
    # shares the tracking page with RateForm: its own ids, so the page has one id_comment, not two
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "not_fixed_%s")
        super().__init__(*args, **kwargs)

    comment = forms.CharField(
        label="哪里还没有解决？（可选）",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeskForm(forms.Form):
    channel = forms.ChoiceField(
        label="渠道", choices=[(c.value, c.label) for c in Channel if c in DESK_CHANNELS]
    )
    estate = forms.CharField(
        label="小区",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "estate-list", "autocomplete": "off"}),
        help_text="输入小区名称、别名或拼音首字母（如 yghy），从列表中选择",
    )
    address = forms.CharField(label="问题地址（小区不明时填写）", max_length=300, required=False)
    text = forms.CharField(
        label="反映内容（记录群众原话）", max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = forms.ChoiceField(label="问题类别（可选）", choices=CATEGORY_STAFF, required=False)
    name = forms.CharField(label="反映人", max_length=60, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    anonymous = forms.BooleanField(label="反映人要求匿名", required=False)
    received_at = forms.DateTimeField(
        label="收到时间（默认现在）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    idem = forms.CharField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="12345 工单导出文件（.xlsx 或 .csv）")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)
