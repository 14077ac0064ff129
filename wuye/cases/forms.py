"""Forms parse input only; the rules live in services."""

from typing import Any

from django import forms

from wuye.intake.models import Channel
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate, PropertyCompany, Town

from .models import ActionKind
from .selectors import STATUS_FILTERS

DATE = forms.DateInput(attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "附件（图片或 PDF，最多 9 个，每个不超过 10 MB）")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label="问题描述关键词 / 编号", required=False, max_length=100)
    town = forms.ModelChoiceField(
        label="乡镇/街道", queryset=Town.objects.none(), required=False, empty_label="全部"
    )
    estate = forms.ModelChoiceField(
        label="小区", queryset=Estate.objects.none(), required=False, empty_label="全部"
    )
    company = forms.ModelChoiceField(
        label="物业企业", queryset=PropertyCompany.objects.none(), required=False, empty_label="全部"
    )
    category = forms.ChoiceField(
        label="问题类别",
        required=False,
        choices=[("", "全部")] + [(c.value, f"{c.value} {c.label}") for c in Category],
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部")] + list(STATUS_FILTERS.items())
    )
    channel = forms.ChoiceField(
        label="问题来源", required=False, choices=[("", "全部")] + list(Channel.choices)
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    unsigned = forms.BooleanField(label="仅看超时未签收", required=False)
    urgent = forms.BooleanField(label="仅看紧急", required=False)
    date_from = forms.DateField(label="立案日期从", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)

    def __init__(self, *args: Any, towns: Any, estates: Any, companies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("town", towns), ("estate", estates), ("company", companies)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class CaseCreateForm(forms.Form):
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none(), empty_label="请选择")
    category = forms.ChoiceField(
        label="问题类别", choices=[("", "请选择")] + [(c.value, f"{c.value} {c.label}") for c in Category]
    )
    title = forms.CharField(label="标题（可不填）", required=False, max_length=120)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    source_channel = forms.ChoiceField(
        label="问题来源", required=False, choices=[("", "专班立案")] + list(Channel.choices)
    )
    attachments = MultipleFileField()

    def __init__(self, *args: Any, estates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        estate = self.fields["estate"]
        assert isinstance(estate, forms.ModelChoiceField)
        estate.queryset = estates


def _text(label: str, *, rows: int = 3, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=5000,
        help_text=help_text,
    )


class VerifyForm(forms.Form):
    note = _text("说明（可不填）", required=False)


class UnfoundedForm(forms.Form):
    reason = _text("核查结论", help_text="此说明将在反映人查询页面公开，请勿写入个人信息。")
    attachments = MultipleFileField()


class PlanForm(forms.Form):
    target = _text("整改目标")
    measures = _text("整改措施/路径", rows=4)
    responsible = forms.CharField(label="整改责任人", max_length=60)
    deadline = forms.DateField(label="完成时限（可不填，按事项的办理时限计算）", required=False, widget=DATE)
    note = _text("其他要求（可不填）", required=False)


class SubmitForm(forms.Form):
    progress = _text("整改情况", rows=5)
    attachments = MultipleFileField(label="整改材料（整改前后照片或证明，图片或 PDF，至少 1 个）")


class AcceptForm(forms.Form):
    note = _text("验收意见", help_text="此意见将在反映人查询页面公开，请勿写入个人信息。")
    attachments = MultipleFileField()


class ReturnForm(forms.Form):
    reason = _text("退回理由")
    deadline = forms.DateField(label="新的完成时限（可不填，不填沿用原时限）", required=False, widget=DATE)
    attachments = MultipleFileField()


class ReopenForm(forms.Form):
    reason = _text("重新整改理由")
    deadline = forms.DateField(
        label="新的完成时限（可不填，按办理时限重新计算）", required=False, widget=DATE
    )


class SignForm(forms.Form):
    note = _text("说明（可不填）", required=False, rows=2)


class TierForm(forms.Form):
    tier = forms.ChoiceField(
        label="紧急程度",
        choices=[("urgent", "紧急（困人、燃气、消防等）"), ("ordinary", "一般"), ("complex", "复杂")],
    )
    reason = _text("理由", rows=2)


class ProgressForm(forms.Form):
    progress = _text("进展情况", rows=4)
    attachments = MultipleFileField()


class NoteForm(forms.Form):
    text = _text("内部备注（仅专班可见）", rows=4)
    attachments = MultipleFileField()


class ExtensionRequestForm(forms.Form):
    requested_deadline = forms.DateField(label="申请延至", widget=DATE)
    reason = _text("申请理由")


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果", choices=[("approve", "同意延期"), ("refuse", "不同意")], widget=forms.RadioSelect
    )
    granted_deadline = forms.DateField(label="批准延至（可不填，按申请日期）", required=False, widget=DATE)
    reason = _text("审批意见（不同意时必填）", required=False)


class MergeForm(forms.Form):
    target = forms.CharField(label="并入事项编号", max_length=32)
    reason = _text("合并理由（可不填）", required=False)


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label="督办措施", choices=[("", "请选择")] + list(ActionKind.choices))
    date = forms.DateField(label="日期", widget=DATE)
    interviewee = forms.CharField(label="约谈对象（约谈时填）", required=False, max_length=100)
    interviewers = forms.CharField(label="约谈人（约谈时填）", required=False, max_length=200)
    minutes = _text("约谈纪要（约谈时填）", required=False)
    amount = forms.CharField(label="罚款金额（元，处罚时填）", required=False, max_length=30)
    legal_basis = forms.CharField(label="法律依据（处罚时填）", required=False, max_length=300)
    decision_number = forms.CharField(label="处罚决定书文号（处罚时填）", required=False, max_length=100)
    department = forms.CharField(label="移送单位（移送时填：部门或公安机关）", required=False, max_length=100)
    period_end = forms.DateField(label="限制期至（限制评优评先时可填）", required=False, widget=DATE)
    note = _text("说明（可不填）", required=False)
    attachments = MultipleFileField()


class RevisitDrawForm(forms.Form):
    per_estate = forms.IntegerField(label="每小区抽取件数", min_value=1, max_value=50, initial=2)
    seed = forms.IntegerField(
        label="随机种子（同一种子抽取结果相同）", initial=2025, min_value=0, max_value=2**31 - 1
    )
    category = forms.ChoiceField(
        label="问题类别",
        required=False,
        choices=[("", "全部")] + [(c.value, f"{c.value} {c.label}") for c in Category],
    )


class RevisitRecordForm(forms.Form):
    result = forms.ChoiceField(
        label="复查结果",
        choices=[("passed", "合格"), ("failed", "不合格，重新整改")],
        widget=forms.RadioSelect,
    )
    finding = _text("复查情况")
