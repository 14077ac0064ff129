"""基础档案 (§2): county → town → estate → building → unit → owners; companies, contracts, committees."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from wuye.kernel.conf import county_overrides_errors, county_setting


class City(models.Model):
    """市: a city viewer reads the counties of its city."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("市", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "市"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """县（区）: the unit a bureau works in. `settings` holds the county's overrides of declared settings
    (wuye.kernel.conf, read with `county_setting(key, county)`); `case_prefix` starts its case numbers."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("县（区）", max_length=50)
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.PROTECT, related_name="counties", verbose_name="所属市"
    )
    case_prefix = models.CharField(
        "台账编号前缀",
        max_length=8,
        unique=True,
        validators=[RegexValidator("^[A-Z]{1,8}$", "台账编号前缀应为 1 至 8 个大写字母")],
        help_text="1 至 8 个大写字母，如 ZS",
    )
    settings = models.JSONField("本县设置（覆盖默认值）", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "县（区）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = county_overrides_errors(self.settings)
        if errors:
            raise ValidationError({"settings": errors})


def default_city() -> City:
    """The deployment's first city (settings CITY_CODE/CITY_NAME), made on first use."""

    city, _ = City.objects.get_or_create(
        code=county_setting("CITY_CODE"), defaults={"name": county_setting("CITY_NAME")}
    )
    return city


def default_county() -> County:
    """The deployment's first county (settings COUNTY_CODE/COUNTY_NAME/CASE_NUMBER_PREFIX), made on first use:
    a one-county deployment never names its county."""

    county = County.objects.filter(code=county_setting("COUNTY_CODE")).first()
    if county is None:
        county, _ = County.objects.get_or_create(
            code=county_setting("COUNTY_CODE"),
            defaults={
                "name": county_setting("COUNTY_NAME"),
                "case_prefix": county_setting("CASE_NUMBER_PREFIX"),
                "city": default_city(),
            },
        )
    return county


class Town(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", "镇"
        TOWNSHIP = "township", "乡"
        STREET = "street", "街道"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="towns", verbose_name="县（区）"
    )
    code = models.CharField("编码", max_length=12, unique=True)
    name = models.CharField("乡镇/街道", max_length=50)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.TOWN)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇/街道"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="town_unique_name")]

    def __str__(self) -> str:
        return self.name


class PropertyCompany(models.Model):
    name = models.CharField("企业名称", max_length=120, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # the county whose bureau registered it; it is also seen by every county where it serves or served an estate
    registered_county = models.ForeignKey(
        County,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_companies",
        verbose_name="登记县（区）",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """小区 / 物业管理区域. `code` is the public key used in URLs and QR codes."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="estates", verbose_name="乡镇/街道")
    code = models.SlugField("小区编码", max_length=20, unique=True)
    name = models.CharField("小区名称", max_length=100)
    aliases = models.CharField("别名（以、分隔）", max_length=300, blank=True)
    pinyin_initials = models.CharField("拼音首字母", max_length=40, blank=True, db_index=True)
    address = models.CharField("地址", max_length=200, blank=True)
    developer = models.CharField("开发建设单位", max_length=120, blank=True)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="estate_unique_name_in_town")]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [
            a.strip() for a in self.aliases.replace(",", "、").replace("，", "、").split("、") if a.strip()
        ]


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name="小区"
    )
    name = models.CharField("楼栋", max_length=30)
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "楼栋"
        ordering = ["estate_id", "name"]
        constraints = [models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.name}"


class Unit(models.Model):
    """专有部分. Area is the registered area (R2); `estate` repeats the building's for fast scoped queries."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="units", verbose_name="小区")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name="楼栋"
    )
    number = models.CharField("房号", max_length=30)
    area = models.DecimalField("专有部分面积（㎡）", max_digits=10, decimal_places=2)
    developer_held = models.BooleanField("开发建设单位未售出或未交付", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "房屋（专有部分）"
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number"),
            models.CheckConstraint(condition=Q(area__gt=Decimal("0")), name="unit_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.number}"


class Owner(models.Model):
    """业主: a person (or organisation) identified by name and phone; may hold several units."""

    name = models.CharField("姓名", max_length=60)
    phone = models.CharField("手机号", max_length=20, blank=True, db_index=True)
    id_number_tail = models.CharField("证件号后四位", max_length=4, blank=True)
    units = models.ManyToManyField(Unit, through="Ownership", related_name="owners", verbose_name="房屋")

    class Meta:
        verbose_name = verbose_name_plural = "业主"
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="owner_unique_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class Ownership(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ownerships", verbose_name="房屋")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="ownerships", verbose_name="业主")
    is_designated_voter = models.BooleanField("共有人推选的投票人", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "产权关系"
        constraints = [
            models.UniqueConstraint(fields=["unit", "owner"], name="ownership_unique"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_designated_voter=True), name="ownership_one_voter_per_unit"
            ),
        ]


class ServiceContract(models.Model):
    class Hiring(models.TextChoices):
        TENDER = "tender", "招标"
        AGREEMENT = "agreement", "协议选聘"
        PRELIMINARY = "preliminary", "前期物业（建设单位选聘）"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="contracts", verbose_name="小区"
    )
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, related_name="contracts", verbose_name="物业服务企业"
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    fee_per_m2 = models.DecimalField("收费标准（元/㎡/月）", max_digits=6, decimal_places=2)
    hiring = models.CharField("选聘方式", max_length=20, choices=Hiring.choices)
    is_current = models.BooleanField("现行合同", default=True)
    ended_reason = models.CharField("终止原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "物业服务合同"
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(is_current=True), name="contract_one_current"
            ),
            models.CheckConstraint(condition=Q(fee_per_m2__gte=0), name="contract_fee_non_negative"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="contract_dates"
            ),
        ]
        indexes = [models.Index(fields=["company", "is_current"], name="contract_company_current")]

    def __str__(self) -> str:
        return f"{self.company} — {self.estate}"


class Committee(models.Model):
    class Kind(models.TextChoices):
        OWNERS = "owners", "业主委员会"
        MANAGEMENT = "management", "物业管理委员会"

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="committees", verbose_name="小区"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束")
    has_party_org = models.BooleanField("已建立党组织", default=False)
    is_current = models.BooleanField("现任", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "业委会/物管会"
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(is_current=True), name="committee_one_current"
            ),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="committee_term"),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name}{self.get_kind_display()}"


class CommitteeMember(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", "主任"
        VICE_CHAIR = "vice_chair", "副主任"
        MEMBER = "member", "委员"

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name="委员会"
    )
    name = models.CharField("姓名", max_length=60)
    position = models.CharField("职务", max_length=12, choices=Position.choices, default=Position.MEMBER)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_party_member = models.BooleanField("党员", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "委员"

    def __str__(self) -> str:
        return self.name
