from typing import Any

from django import forms

from wuye.registry.models import Estate, PropertyCompany

from .models import OBJECTION_DECISIONS
from .rules import Rule
from .types import EVENT_TYPES, LEVELS, MANUAL_TYPES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleForm(forms.Form):
    """One field per event type, the level bands and the veto types, pre-filled with the rule in force."""

    effective_from = forms.DateField(label="生效日期", widget=DATE)
    base_score = forms.IntegerField(label="基础分")
    veto_types = forms.MultipleChoiceField(
        label="一票否决事件类型",
        required=False,
        choices=[(t.code, t.label) for t in EVENT_TYPES.values()],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="修订说明", max_length=300)

    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_score"].initial = rule.base_score
        self.fields["veto_types"].initial = sorted(rule.veto_types)
        for level in LEVELS[:-1]:
            self.fields[f"band_{level}"] = forms.IntegerField(
                label=f"{level} 级分数线（不低于）", initial=rule.bands.get(level)
            )
        for t in EVENT_TYPES.values():
            self.fields[f"points_{t.code}"] = forms.IntegerField(
                label=f"分值：{t.label}", initial=rule.points_of(t.code)
            )

    def rule_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "effective_from": d.get("effective_from"),
            "base_score": d.get("base_score"),
            "points": {t: d.get(f"points_{t}") for t in EVENT_TYPES},
            "bands": {level: d.get(f"band_{level}") for level in LEVELS[:-1]},
            "veto_types": list(d.get("veto_types") or []),
            "note": d.get("note", ""),
        }


class RecordForm(forms.Form):
    type = forms.ChoiceField(
        label="类型", choices=[("", "请选择")] + [(t.code, t.label) for t in MANUAL_TYPES]
    )
    company = forms.ModelChoiceField(label="物业企业", queryset=PropertyCompany.objects.order_by("name"))
    estate = forms.ModelChoiceField(
        label="小区（可不填）", queryset=Estate.objects.order_by("code"), required=False
    )
    date = forms.DateField(label="日期", widget=DATE)
    text = forms.CharField(label="事实（一句话，不写个人姓名和电话）", max_length=300)
    document_no = forms.CharField(label="文件/决定文号", max_length=100, required=False)


class ObjectionForm(forms.Form):
    reasons = forms.CharField(label="异议理由", widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.FileField(label="证明材料（图片或 PDF，可不传）", required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="复核结论", choices=[(o.value, o.label) for o in OBJECTION_DECISIONS])
    points = forms.IntegerField(label="变更后分值（仅变更分值时填写）", required=False)
    reason = forms.CharField(label="复核理由", widget=forms.Textarea(attrs={"rows": 4}))


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 10}))
    picks = forms.MultipleChoiceField(
        label="通报事项（从处罚、约谈和信用结果中选择）", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        picks = self.fields["picks"]
        assert isinstance(picks, forms.MultipleChoiceField)
        picks.choices = choices
