"""Forms of the assets pages: they parse input; the rules are in the services."""

from typing import Any

from django import forms

from wuye.registry.models import PropertyCompany
from wuye.voting.models import Motion

from .models import FaultKind, FundingSource, FundRoute, IncomingKind, RenewalStage, SpaceKind, WorkKind

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ImportForm(forms.Form):
    file = forms.FileField(label="特种设备使用登记台账（.xlsx）")


class ParkingImportForm(forms.Form):
    file = forms.FileField(label="车位登记表（.xlsx）")


class ParkingSpaceForm(forms.Form):
    number = forms.CharField(label="车位号", max_length=20)
    kind = forms.ChoiceField(label="类型", choices=SpaceKind.choices)
    user_label = forms.CharField(label="使用人（房号）", max_length=60, required=False)
    plate = forms.CharField(label="登记车牌", max_length=12, required=False)
    monthly_rent = forms.DecimalField(
        label="月租金（元，共有部位车位出租时填写）", max_digits=14, decimal_places=2, required=False
    )


class MaintenanceForm(forms.Form):
    done_on = forms.DateField(label="维保日期", widget=DATE)
    done_by = forms.CharField(label="维保人员/单位", max_length=100)
    items = forms.CharField(label="维保项目", max_length=300, required=False)
    sheet = forms.FileField(label="签字维保单（图片或 PDF）", required=False)


class FaultForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=FaultKind.choices)
    occurred_at = forms.DateTimeField(label="发生时间", widget=DATETIME)
    arrived_at = forms.DateTimeField(label="救援/维修到场时间", widget=DATETIME, required=False)
    note = forms.CharField(label="情况说明", max_length=300, required=False)


def _motions(estate_id: int) -> Any:
    return Motion.objects.filter(assembly__estate_id=estate_id).select_related("assembly").order_by("-pk")


class RenewalForm(forms.Form):
    stage = forms.ChoiceField(label="更新改造阶段", choices=RenewalStage.choices)
    funding_source = forms.ChoiceField(label="资金来源", choices=FundingSource.choices, required=False)
    motion = forms.ModelChoiceField(label="业主大会表决事项", queryset=Motion.objects.none(), required=False)
    since = forms.DateField(label="进入阶段日期", widget=DATE, required=False)

    def __init__(self, *args: Any, estate_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = _motions(estate_id)  # type: ignore[attr-defined]


class ItemConfirmForm(forms.Form):
    evidence = forms.CharField(label="接收凭证说明", max_length=300)
    evidence_file = forms.FileField(label="凭证附件（图片或 PDF）", required=False)


class ItemDisputeForm(forms.Form):
    dispute = forms.CharField(label="争议说明", max_length=300)


class ItemAnswerForm(forms.Form):
    answer = forms.CharField(label="退出方答复", max_length=300)


class IncomingForm(forms.Form):
    kind = forms.ChoiceField(label="接管方类型", choices=IncomingKind.choices)
    company = forms.ModelChoiceField(
        label="接管企业", queryset=PropertyCompany.objects.order_by("name"), required=False
    )
    name = forms.CharField(label="接管方名称（自行管理或临时管理时填写）", max_length=120, required=False)


class FundUseForm(forms.Form):
    title = forms.CharField(label="使用项目", max_length=120)
    work_kind = forms.ChoiceField(label="项目类别", choices=WorkKind.choices)
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=0)
    parts = forms.CharField(label="涉及部位及业主范围", max_length=200)
    route = forms.ChoiceField(label="使用程序", choices=FundRoute.choices)
    motion = forms.ModelChoiceField(label="业主表决事项", queryset=Motion.objects.none(), required=False)
    emergency_facts = forms.CharField(label="应急情形说明", max_length=300, required=False)

    def __init__(self, *args: Any, estate_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = _motions(estate_id)  # type: ignore[attr-defined]


class ParkingReportForm(forms.Form):
    problem = forms.ChoiceField(label="问题类型", choices=[])
    text = forms.CharField(label="问题情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    space_numbers = forms.CharField(label="涉及车位号（以、分隔，可不填）", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .services.parking import ParkingProblem

        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = ParkingProblem.choices  # type: ignore[attr-defined]

    def clean_space_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("space_numbers") or ""
        return [n for n in raw.replace("，", "、").replace(",", "、").split("、") if n.strip()]
