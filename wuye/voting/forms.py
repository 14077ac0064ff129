from django import forms

from .tally import ITEMS

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class AssemblyForm(forms.Form):
    estate_code = forms.CharField(
        label="小区编码",
        max_length=20,
        required=False,
        help_text="县专班代乡镇召集时填写小区编码；业委会成员无需填写",
    )
    title = forms.CharField(label="表决名称", max_length=120)
    notice = forms.CharField(
        label="表决公告",
        widget=forms.Textarea,
        help_text="写明表决事项、表决方式（电子投票与书面投票）、起止时间、计票规则和公示方式",
    )
    vote_start = forms.DateTimeField(
        label="投票开始时间",
        input_formats=DT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DT_FORMATS[0]),
    )
    vote_end = forms.DateTimeField(
        label="投票截止时间",
        input_formats=DT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DT_FORMATS[0]),
    )


class MotionForm(forms.Form):
    item = forms.TypedChoiceField(
        label="民法典第278条事项",
        coerce=int,
        choices=[("", "请选择")] + [(k, f"（{k}）{v}") for k, v in ITEMS.items()],
        help_text="第（六）（七）（八）项须经参与表决面积和人数四分之三以上同意，其余须过半数",
    )
    title = forms.CharField(label="表决事项", max_length=200)
    description = forms.CharField(label="说明", widget=forms.Textarea, required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label="表决材料（图片或 PDF）")


class ObjectionForm(forms.Form):
    text = forms.CharField(label="异议内容", widget=forms.Textarea, max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", widget=forms.Textarea, max_length=4000)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)
