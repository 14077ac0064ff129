from django import forms

from .models import Committee, PropertyCompany, ServiceContract, Town

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EstateForm(forms.Form):
    town = forms.ModelChoiceField(label="乡镇/街道", queryset=Town.objects.order_by("code"))
    code = forms.SlugField(label="小区编码", max_length=20, help_text="字母、数字或短横线，用于二维码和网址")
    name = forms.CharField(label="小区名称", max_length=100)
    aliases = forms.CharField(label="别名", max_length=300, required=False, help_text="多个别名用“、”分隔")
    address = forms.CharField(label="地址", max_length=200, required=False)
    developer = forms.CharField(label="开发建设单位", max_length=120, required=False)
    built_year = forms.IntegerField(label="建成年份", min_value=1950, max_value=2100, required=False)


class CompanyForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=120)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, min_length=1)
    legal_representative = forms.CharField(label="法定代表人", max_length=50)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)


class ContractForm(forms.Form):
    company = forms.ModelChoiceField(label="物业服务企业", queryset=PropertyCompany.objects.order_by("name"))
    start = forms.DateField(label="开始日期", widget=DATE)
    end = forms.DateField(label="结束日期", widget=DATE, required=False)
    fee_per_m2 = forms.DecimalField(label="收费标准（元/㎡/月）", max_digits=6, decimal_places=2, min_value=0)
    hiring = forms.ChoiceField(label="选聘方式", choices=ServiceContract.Hiring.choices)


class ContractEndForm(forms.Form):
    end = forms.DateField(label="终止日期", widget=DATE)
    reason = forms.CharField(label="终止原因", max_length=200)


class CommitteeForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Committee.Kind.choices)
    term_start = forms.DateField(label="任期开始", widget=DATE)
    term_end = forms.DateField(label="任期结束", widget=DATE)
    has_party_org = forms.BooleanField(label="已建立党组织", required=False)
    members = forms.CharField(
        label="委员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一位：姓名,职务(主任/副主任/委员),电话",
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
