"""Input forms of the company's records. The forms parse; the rules (no future dates, no negative quantities, a
filing before the work) are the services', so the API and the import obey them too."""

from typing import Any

from django import forms

from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate

from .models import (
    DisclosureKind,
    DrillKind,
    FeeApproval,
    FireFacility,
    PlanKind,
    Renovation,
    RoomUse,
    ViolationKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required)


class StandardForm(forms.Form):
    grade = forms.ChoiceField(label="按本县服务等级", required=False)
    clauses = forms.CharField(
        label="或逐条填写合同约定的标准（每行“项目：标准”）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = county_setting("DUTIES_SERVICE_GRADES")
        self.fields["grade"].choices = [("", "（按合同逐条填写）")] + [(g, f"{g}服务") for g in grades]  # type: ignore[attr-defined]


class DisclosureForm(forms.Form):
    kind = forms.ChoiceField(label="公示事项", choices=DisclosureKind.choices)
    summary = forms.CharField(label="公示内容", widget=forms.Textarea(attrs={"rows": 4}))
    published_on = _date("公示（报告）日期")
    person_title = forms.CharField(label="负责人职务（公示负责人时填写）", required=False, max_length=40)
    duty_phone = forms.CharField(
        label="值班电话（企业工作电话，不填个人手机号）", required=False, max_length=20
    )
    approval_ref = forms.CharField(label="价格批准文件文号（公示收费时填写）", required=False, max_length=80)


class RenovationForm(forms.Form):
    unit = forms.CharField(label="房号", max_length=40)
    start = _date("开工日期")
    end = _date("完工日期")
    works = forms.CharField(label="装修内容", max_length=200)
    contractor = forms.CharField(label="施工单位", max_length=120, required=False)
    notice_signed_on = _date("禁止行为告知书签收日期", required=False)


class ViolationForm(forms.Form):
    renovation = forms.ModelChoiceField(label="装修登记", queryset=Renovation.objects.none())
    kind = forms.ChoiceField(label="违规行为", choices=ViolationKind.choices)
    found_on = _date("发现日期")
    dissuaded_on = _date("劝阻制止日期", required=False)
    stopped = forms.BooleanField(label="劝阻有效（已停止违规行为）", required=False)
    reported_on = _date("报告主管部门日期", required=False)
    authority = forms.CharField(label="报告的主管部门", max_length=80, required=False)

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["renovation"].queryset = Renovation.objects.filter(estate=estate)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PlanKind.choices)
    title = forms.CharField(label="名称", max_length=120)
    adopted_on = _date("制定日期")
    review_due = _date("下次修订日期")


class SupplyForm(forms.Form):
    name = forms.CharField(label="物资名称", max_length=60)
    quantity = forms.DecimalField(label="数量", max_digits=10, decimal_places=2)
    unit_label = forms.CharField(label="单位", max_length=10, initial="件")
    expires_on = _date("有效期至", required=False)
    location = forms.CharField(label="存放地点", max_length=80, required=False)


class DrillForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DrillKind.choices)
    plan_kind = forms.ChoiceField(label="针对的预案", choices=PlanKind.choices)
    held_on = _date("日期")
    attendance = forms.IntegerField(label="参加人数")
    summary = forms.CharField(label="内容", max_length=200, required=False)


class HazardForm(forms.Form):
    checked_on = _date("检查日期")
    scope = forms.CharField(label="检查部位、设施设备", max_length=120)
    hazard = forms.CharField(label="发现的隐患（无则留空）", max_length=200, required=False)
    fix_deadline = _date("整改期限", required=False)
    fixed_on = _date("处理完成日期", required=False)
    handling = forms.CharField(label="处理情况", max_length=200, required=False)


class ConfinedForm(forms.Form):
    work = forms.CharField(label="作业内容（如地下管网清淤）", max_length=120)
    starts_on = _date("作业日期")
    filed_on = _date("备案日期（须在作业前）", required=False)
    permit_no = forms.CharField(label="作业审批（许可）编号", max_length=60, required=False)
    operators = forms.CharField(label="持证作业人员及证书编号", max_length=300, required=False)


class FireCheckForm(forms.Form):
    facility = forms.ChoiceField(label="消防设施、通道", choices=FireFacility.choices)
    checked_on = _date("检查（巡查）日期")
    passed = forms.BooleanField(label="完好、畅通", required=False, initial=True)
    finding = forms.CharField(label="发现的问题", max_length=200, required=False)
    fixed_on = _date("修复（清除）日期", required=False)
    reported_on = _date("劝阻无效时报告消防救援机构的日期", required=False)


class FeeChangeForm(forms.Form):
    item = forms.CharField(label="收费项目", max_length=60)
    old_rate = forms.DecimalField(label="原标准（元）", max_digits=14, decimal_places=2)
    new_rate = forms.DecimalField(label="新标准（元）", max_digits=14, decimal_places=2)
    rate_unit = forms.CharField(label="计费单位", max_length=20, initial="元/㎡·月")
    effective_on = _date("执行日期")
    approval = forms.ChoiceField(label="批准依据", choices=FeeApproval.choices)
    approval_ref = forms.CharField(label="批准文件或决定文号", max_length=80, required=False)


class RoomForm(forms.Form):
    location = forms.CharField(label="位置", max_length=120)
    area = forms.DecimalField(label="面积（㎡）", max_digits=10, decimal_places=2)
    use = forms.ChoiceField(label="现用途", choices=RoomUse.choices)
    use_note = forms.CharField(label="用途说明", max_length=200, required=False)
    surveyed_on = _date("核查日期")


class HazardFixForm(forms.Form):
    fixed_on = _date("处理完成日期")
    handling = forms.CharField(label="处理情况", max_length=200, required=False)


class FireFixForm(forms.Form):
    fixed_on = _date("修复（清除）日期", required=False)
    reported_on = _date("报告消防救援机构日期", required=False)


class ViolationActForm(forms.Form):
    dissuaded_on = _date("劝阻制止日期", required=False)
    stopped = forms.BooleanField(label="劝阻有效（已停止违规行为）", required=False)
    reported_on = _date("劝阻无效时报告主管部门的日期", required=False)
    authority = forms.CharField(label="报告的主管部门", max_length=80, required=False)


class ConfinedFileForm(forms.Form):
    permit_no = forms.CharField(label="作业审批（许可）编号", max_length=60)
    operators = forms.CharField(label="持证作业人员及证书编号", max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label="应急物资表（.xlsx）")
