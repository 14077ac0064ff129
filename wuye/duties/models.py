"""A company's standing duties on record (seed 二(一)1–3, 二(七)): the contract's service standard, what it must
make public, renovation management, safety and emergency readiness, fee changes and the service rooms.

Every record belongs to one estate and is entered by the company serving it; the checks (`checks.py`) read them.
"""

from django.conf import settings
from django.db import models


class _Record(models.Model):
    """What every record carries: the estate, the company that entered it, who and when."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="+", verbose_name="小区"
    )
    company = models.ForeignKey(
        "registry.PropertyCompany", on_delete=models.PROTECT, related_name="+", verbose_name="物业企业"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}（{self.estate}）"


# --- 1. the contract's service standard --------------------------------------------------------------------


class ServiceStandard(_Record):
    """The service items and standards of the estate's current contract, as clauses (`clauses`: a list of
    {"code", "item", "text"}), entered from the contract or copied from one of the county's grades."""

    contract = models.OneToOneField(
        "registry.ServiceContract", on_delete=models.PROTECT, related_name="+", verbose_name="物业服务合同"
    )
    grade = models.CharField("服务等级", max_length=20, blank=True)
    clauses = models.JSONField("服务标准条款", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "合同服务标准"


# --- 2. disclosure (信息公示) -------------------------------------------------------------------------------


class DisclosureKind(models.TextChoices):
    SERVICE = "service", "服务事项和质量标准"
    PERSONS = "persons", "服务负责人及值班电话"
    FEES = "fees", "收费项目、标准及价格批准文件"
    FUND = "fund", "维修资金使用情况"
    REPORT = "report", "向业主大会、业委会（物管会）的报告"


class DisclosureItem(_Record):
    """One piece of required public information as posted in the estate (and shown on its public page)."""

    kind = models.CharField("公示事项", max_length=12, choices=DisclosureKind.choices)
    summary = models.TextField("公示内容")
    published_on = models.DateField("公示（报告）日期")
    person_title = models.CharField("负责人职务", max_length=40, blank=True)
    duty_phone = models.CharField("值班电话（工作电话）", max_length=20, blank=True)
    approval_ref = models.CharField("价格批准文件文号", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息公示"
        ordering = ["kind", "-published_on", "-id"]


# --- 3. renovation management ------------------------------------------------------------------------------


class Renovation(_Record):
    """An owner's renovation registration with the notice of forbidden acts the company gave."""

    unit = models.CharField("房号", max_length=40)
    start = models.DateField("开工日期")
    end = models.DateField("完工日期")
    works = models.CharField("装修内容", max_length=200)
    contractor = models.CharField("施工单位", max_length=120, blank=True)
    notice_signed_on = models.DateField("禁止行为告知书签收日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "装修登记"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.unit}（{self.start.year}年{self.start.month}月{self.start.day}日开工）"


class ViolationKind(models.TextChoices):
    LOAD_BEARING = "load_bearing", "拆改承重墙"
    BASEMENT = "basement", "挖掘地下室"
    BALCONY = "balcony", "改变阳台"
    PIPES = "pipes", "堵塞、改动管道"
    OTHER = "other", "其他违规行为"


class RenovationViolation(_Record):
    """A violation found on patrol: dissuaded (劝阻制止) and, when dissuasion failed, reported to the authority."""

    renovation = models.ForeignKey(
        Renovation, on_delete=models.PROTECT, related_name="violations", verbose_name="装修登记"
    )
    kind = models.CharField("违规行为", max_length=20, choices=ViolationKind.choices)
    found_on = models.DateField("发现日期")
    dissuaded_on = models.DateField("劝阻制止日期", null=True, blank=True)
    stopped = models.BooleanField("劝阻有效", default=False)
    reported_on = models.DateField("报告主管部门日期", null=True, blank=True)
    authority = models.CharField("报告的主管部门", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "装修违规行为"
        ordering = ["-found_on", "-id"]


# --- 4. safety and emergency readiness ---------------------------------------------------------------------


class PlanKind(models.TextChoices):
    SAFETY_RULES = "safety_rules", "安全生产工作制度"
    FIRE = "fire", "火灾应急预案"
    PUBLIC_ORDER = "public_order", "治安事件应急预案"
    PUBLIC_HEALTH = "public_health", "公共卫生事件应急预案"
    WEATHER = "weather", "暴雨等极端天气应急预案"


class EmergencyPlan(_Record):
    kind = models.CharField("类型", max_length=20, choices=PlanKind.choices)
    title = models.CharField("名称", max_length=120)
    adopted_on = models.DateField("制定日期")
    review_due = models.DateField("下次修订日期")

    class Meta:
        verbose_name = verbose_name_plural = "安全制度与应急预案"
        ordering = ["kind", "-adopted_on", "-id"]


class EmergencySupply(_Record):
    name = models.CharField("物资名称", max_length=60)
    quantity = models.DecimalField("数量", max_digits=10, decimal_places=2)
    unit_label = models.CharField("单位", max_length=10, default="件")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    location = models.CharField("存放地点", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急物资"
        ordering = ["name", "-id"]


class DrillKind(models.TextChoices):
    TRAINING = "training", "应急培训"
    DRILL = "drill", "应急演练"


class Drill(_Record):
    kind = models.CharField("类型", max_length=10, choices=DrillKind.choices)
    plan_kind = models.CharField("针对的预案", max_length=20, choices=PlanKind.choices)
    held_on = models.DateField("日期")
    attendance = models.PositiveIntegerField("参加人数")
    summary = models.CharField("内容", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急培训和演练"
        ordering = ["-held_on", "-id"]


class HazardCheck(_Record):
    """A check of common parts and equipment; a hazard found carries its deadline and the day it was handled."""

    checked_on = models.DateField("检查日期")
    scope = models.CharField("检查部位、设施设备", max_length=120)
    hazard = models.CharField("发现的隐患（无则留空）", max_length=200, blank=True)
    fix_deadline = models.DateField("整改期限", null=True, blank=True)
    fixed_on = models.DateField("处理完成日期", null=True, blank=True)
    handling = models.CharField("处理情况", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公用部位设施设备检查"
        ordering = ["-checked_on", "-id"]


class ConfinedSpaceWork(_Record):
    """有限空间作业 (underground pipes, tanks, wells): filed in advance with the permit and certified operators."""

    work = models.CharField("作业内容", max_length=120)
    starts_on = models.DateField("作业日期")
    filed_on = models.DateField("备案日期", null=True, blank=True)
    permit_no = models.CharField("作业审批（许可）编号", max_length=60, blank=True)
    operators = models.CharField("持证作业人员及证书编号", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "有限空间作业"
        ordering = ["-starts_on", "-id"]


class FireFacility(models.TextChoices):
    HYDRANT = "hydrant", "消火栓（水压）"
    ALARM = "alarm", "火灾自动报警系统"
    SPRINKLER = "sprinkler", "自动喷水灭火系统"
    EXTINGUISHER = "extinguisher", "灭火器"
    EVAC_SIGN = "evac_sign", "疏散指示标志、应急照明"
    EXIT = "exit", "疏散通道、安全出口"
    FIRE_LANE = "fire_lane", "消防车通道"


# facilities whose failure leaves people without a way out: their lead is urgent (as are facilities out of action)
ESCAPE_ROUTES = frozenset({FireFacility.EXIT, FireFacility.FIRE_LANE})


class FireCheck(_Record):
    """A fire-facility check or a fire-lane/exit patrol; a failure (out of action, obstructed) is fixed, or for an
    obstruction dissuaded and, when that fails, reported to the fire service."""

    facility = models.CharField("消防设施、通道", max_length=20, choices=FireFacility.choices)
    checked_on = models.DateField("检查（巡查）日期")
    passed = models.BooleanField("完好、畅通", default=True)
    finding = models.CharField("发现的问题", max_length=200, blank=True)
    fixed_on = models.DateField("修复（清除）日期", null=True, blank=True)
    reported_on = models.DateField("报告消防救援机构日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消防设施检查和通道巡查"
        ordering = ["-checked_on", "-id"]


# --- 5. fees and the service rooms (二(七)) ------------------------------------------------------------------


class FeeApproval(models.TextChoices):
    PRICE_BUREAU = "price_bureau", "价格主管部门批准"
    OWNERS = "owners", "业主大会（业主共同）决定"
    NONE = "none", "无"


class FeeChange(_Record):
    item = models.CharField("收费项目", max_length=60)
    old_rate = models.DecimalField("原标准（元）", max_digits=14, decimal_places=2)
    new_rate = models.DecimalField("新标准（元）", max_digits=14, decimal_places=2)
    rate_unit = models.CharField("计费单位", max_length=20, default="元/㎡·月")
    effective_on = models.DateField("执行日期")
    approval = models.CharField("批准依据", max_length=20, choices=FeeApproval.choices)
    approval_ref = models.CharField("批准文件或决定文号", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收费标准调整"
        ordering = ["-effective_on", "-id"]


class RoomUse(models.TextChoices):
    SERVICE = "service", "物业服务"
    LEASED = "leased", "出租经营"
    OTHER = "other", "其他用途"


class ServiceRoom(_Record):
    location = models.CharField("位置", max_length=120)
    area = models.DecimalField("面积（㎡）", max_digits=10, decimal_places=2)
    use = models.CharField("现用途", max_length=12, choices=RoomUse.choices)
    use_note = models.CharField("用途说明", max_length=200, blank=True)
    surveyed_on = models.DateField("核查日期")

    class Meta:
        verbose_name = verbose_name_plural = "物业服务用房"
        ordering = ["location", "-id"]
