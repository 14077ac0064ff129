from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from wuye.registry.models import Estate

from .models import (
    AccountStatus,
    Art278Item,
    Collector,
    EntryKind,
    EntryUse,
    HolderKind,
    IncomeSource,
    Resolution,
    UsageContract,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    widget = MultiFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        if isinstance(data, list | tuple):
            return [super(MultiFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class AccountForm(forms.Form):
    bank = forms.CharField(label="开户银行", max_length=100)
    number = forms.CharField(label="账号", max_length=40)
    holder = forms.CharField(label="户名", max_length=120)
    holder_kind = forms.ChoiceField(label="账户持有方", choices=HolderKind.choices)
    opened_on = forms.DateField(label="开户日期", widget=DATE)


class AccountStatusForm(forms.Form):
    status = forms.ChoiceField(label="监管状态", choices=AccountStatus.choices)
    reason = forms.CharField(label="原因", max_length=300, required=False)


def _resolutions(estate: Estate) -> QuerySet[Resolution]:
    return Resolution.objects.filter(estate=estate).order_by("-decided_on")


def _limit(field: forms.Field, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Any]", field).queryset = queryset


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=[c for c in EntryKind.choices if c[0] != EntryKind.REVERSAL]
    )
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    amount = forms.CharField(label="金额", max_length=20, help_text="单位：元，如 1,200.00")
    source = forms.ChoiceField(
        label="收益来源", choices=[("", "（收入时选择）"), *IncomeSource.choices], required=False
    )
    use = forms.ChoiceField(
        label="支出/分配用途", choices=[("", "（支出或分配时选择）"), *EntryUse.choices], required=False
    )
    description = forms.CharField(label="摘要", max_length=200)
    counterparty = forms.CharField(label="对方单位", max_length=120, required=False)
    usage_contract = forms.ModelChoiceField(
        label="经营合同", queryset=UsageContract.objects.none(), required=False
    )
    resolution = forms.ModelChoiceField(
        label="业主大会决议",
        queryset=Resolution.objects.none(),
        required=False,
        help_text="维修、福利、其他支出和向业主分配须引用决议",
    )
    vouchers = MultiFileField(label="凭证", required=False, help_text="图片或 PDF，可多选")

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["usage_contract"], UsageContract.objects.filter(estate=estate))
        _limit(self.fields["resolution"], _resolutions(estate))


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class VoucherForm(forms.Form):
    vouchers = MultiFileField(label="凭证", help_text="图片或 PDF，可多选")


class ResolutionForm(forms.Form):
    title = forms.CharField(label="决议名称", max_length=200)
    decided_on = forms.DateField(label="表决通过日期", widget=DATE)
    item = forms.TypedChoiceField(label="《民法典》第278条事项", choices=Art278Item.choices, coerce=int)
    document_no = forms.CharField(label="文号", max_length=60, required=False)
    assembly_ref = forms.CharField(label="电子表决编号/链接", max_length=200, required=False)


class UsageContractForm(forms.Form):
    source = forms.ChoiceField(label="收益来源", choices=IncomeSource.choices)
    counterparty = forms.CharField(label="合同相对方", max_length=120)
    location = forms.CharField(label="使用部位", max_length=200, required=False)
    monthly_amount = forms.CharField(label="月收益（元）", max_length=20)
    start = forms.DateField(label="开始日期", widget=DATE)
    end = forms.DateField(label="结束日期", widget=DATE)
    document_no = forms.CharField(label="合同编号", max_length=60, required=False)
    resolution = forms.ModelChoiceField(
        label="业主大会决议", queryset=Resolution.objects.none(), required=False
    )

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["resolution"], _resolutions(estate))


class BusinessForm(forms.Form):
    source = forms.ChoiceField(label="经营类型", choices=IncomeSource.choices)
    location = forms.CharField(label="位置", max_length=200)
    description = forms.CharField(label="情况描述", max_length=500)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    usage_contract = forms.ModelChoiceField(
        label="经营合同", queryset=UsageContract.objects.none(), required=False
    )
    resolution = forms.ModelChoiceField(
        label="业主大会决议", queryset=Resolution.objects.none(), required=False
    )

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["usage_contract"], UsageContract.objects.filter(estate=estate))
        _limit(self.fields["resolution"], _resolutions(estate))


class PublishForm(forms.Form):
    period_key = forms.CharField(
        label="公示期间", max_length=10, help_text="如 2025Q1（季度）或 2025-03（月）"
    )
    note = forms.CharField(label="公示说明", max_length=500, required=False)


class ObjectionForm(forms.Form):
    entry = forms.IntegerField(label="明细序号", widget=forms.HiddenInput)
    text = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    text = forms.CharField(label="审阅意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FundGenerateForm(forms.Form):
    due_date = forms.DateField(label="上缴期限", widget=DATE)
    collector = forms.ChoiceField(label="代收方", choices=Collector.choices)
    collector_name = forms.CharField(label="代收单位", max_length=120)


class FundMarkForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[("collect", "登记代收"), ("deposit", "确认存入专户")])
    day = forms.DateField(label="日期", widget=DATE)
    reference = forms.CharField(label="专户入账凭证号", max_length=60, required=False)
