"""Elevators (R6), a company's exit and handover (R5), maintenance-fund use (R4) and parking (§7)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


# --- elevators ------------------------------------------------------------------------------------------------


class InspectionResult(models.TextChoices):
    NONE = "none", "未登记"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class RenewalStage(models.TextChoices):
    NONE = "none", "无需更新"
    NEEDED = "needed", "需更新改造"
    VOTED = "voted", "业主已表决同意"
    APPLIED = "applied", "已申请资金"
    FUNDED = "funded", "资金已到位"
    DONE = "done", "已完成更新"


# a renewal is "started" from the owners' vote on; 3.2 looks for old or failed elevators short of it
RENEWAL_STARTED = frozenset(
    {RenewalStage.VOTED, RenewalStage.APPLIED, RenewalStage.FUNDED, RenewalStage.DONE}
)
# owners agreed but the money is not there yet: 3.3 after ELEVATOR_FUNDING_DAYS
RENEWAL_AWAITING_FUNDS = frozenset({RenewalStage.VOTED, RenewalStage.APPLIED})


class FundingSource(models.TextChoices):
    NONE = "", "未确定"
    FUND = "fund", "住宅专项维修资金"
    REVENUE = "revenue", "公共收益"
    SUBSIDY = "subsidy", "政府补助"
    OWNERS = "owners", "业主自筹"


class Elevator(models.Model):
    """One elevator of the special-equipment register (特种设备使用登记)."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="elevators", verbose_name="小区"
    )
    building = models.ForeignKey(
        "registry.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elevators",
        verbose_name="楼栋",
    )
    unit_label = models.CharField("单元", max_length=20, blank=True)
    reg_code = models.CharField("使用登记证编号", max_length=40, unique=True)
    maker = models.CharField("制造单位", max_length=100, blank=True)
    model_name = models.CharField("型号", max_length=60, blank=True)
    installed_on = models.DateField("安装日期")
    last_inspection_on = models.DateField("最近定期检验日期", null=True, blank=True)
    inspection_result = models.CharField(
        "检验结论", max_length=6, choices=InspectionResult.choices, default=InspectionResult.NONE
    )
    maintainer = models.CharField("维保单位", max_length=120, blank=True)
    stage = models.CharField(
        "更新改造阶段", max_length=8, choices=RenewalStage.choices, default=RenewalStage.NONE
    )
    stage_since = models.DateField("进入当前阶段日期", null=True, blank=True)
    funding_source = models.CharField(
        "资金来源", max_length=8, choices=FundingSource.choices, blank=True, default=FundingSource.NONE
    )
    motion = models.ForeignKey(
        "voting.Motion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elevator_renewals",
        verbose_name="业主大会表决事项",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "电梯"
        ordering = ["estate_id", "reg_code"]

    def __str__(self) -> str:
        return self.reg_code


class ElevatorMaintenance(models.Model):
    """A routine maintenance visit (维护保养, at least every 15 days)."""

    elevator = models.ForeignKey(
        Elevator, on_delete=models.PROTECT, related_name="maintenances", verbose_name="电梯"
    )
    done_on = models.DateField("维保日期")
    done_by = models.CharField("维保人员/单位", max_length=100)
    items = models.CharField("维保项目", max_length=300, blank=True)
    sheet = models.FileField("签字维保单", upload_to="assets/maintenance/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "电梯维保记录"
        ordering = ["-done_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["elevator", "done_on"], name="elevator_maintenance_once_a_day"),
        ]


class FaultKind(models.TextChoices):
    FAULT = "fault", "故障停梯"
    ENTRAPMENT = "entrapment", "困人"


class ElevatorFault(models.Model):
    elevator = models.ForeignKey(
        Elevator, on_delete=models.PROTECT, related_name="faults", verbose_name="电梯"
    )
    kind = models.CharField("类型", max_length=10, choices=FaultKind.choices)
    occurred_at = models.DateTimeField("发生时间")
    arrived_at = models.DateTimeField("救援/维修到场时间", null=True, blank=True)
    note = models.CharField("情况说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "电梯故障与困人"
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["elevator", "occurred_at"], name="elevator_fault_unique"),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=models.F("occurred_at")),
                name="elevator_fault_arrival_after",
            ),
        ]

    @property
    def response_minutes(self) -> int | None:
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.occurred_at).total_seconds() // 60)


# --- exit and handover (移交) ----------------------------------------------------------------------------------


class HandoverSource(models.TextChoices):
    CONTRACT_END = "contract_end", "合同到期未续签"
    DISMISSAL = "dismissal", "业主大会决定解聘"
    LEDGER = "ledger", "台账引导业主解聘"


class IncomingKind(models.TextChoices):
    COMPANY = "company", "新物业服务企业"
    SELF = "self", "业主自行管理"
    INTERIM = "interim", "街道（乡镇）临时管理"


class HandoverStatus(models.TextChoices):
    OPEN = "open", "移交中"
    DONE = "done", "已完成移交"


class Handover(models.Model):
    """The outgoing manager hands the estate to the incoming one (Civil Code art. 949; 物业管理条例 art. 29, 38)."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="asset_handovers", verbose_name="小区"
    )
    source = models.CharField("起因", max_length=14, choices=HandoverSource.choices)
    contract = models.OneToOneField(
        "registry.ServiceContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_handover",
        verbose_name="到期合同",
    )
    record = models.OneToOneField(
        "cases.HandoverRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_handover",
        verbose_name="台账移交记录",
    )
    motion = models.OneToOneField(
        "voting.Motion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_handover",
        verbose_name="解聘表决事项",
    )
    outgoing = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_out",
        verbose_name="退出方",
    )
    incoming_kind = models.CharField("接管方类型", max_length=8, choices=IncomingKind.choices)
    incoming = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_in",
        verbose_name="接管企业",
    )
    incoming_name = models.CharField("接管方", max_length=120)
    deadline = models.DateField("移交期限")
    status = models.CharField(
        "状态", max_length=6, choices=HandoverStatus.choices, default=HandoverStatus.OPEN
    )
    # the overdue fact (read by the credit collector): the first day the deadline had passed with items open
    overdue_since = models.DateField("逾期未移交自", null=True, blank=True)
    completed_on = models.DateField("完成移交日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "退出移交"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(status="open"), name="asset_handover_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} 移交"


class ItemKind(models.TextChoices):
    ROOMS = "rooms", "物业服务用房"
    FACILITIES = "facilities", "相关设施设备"
    DOCUMENTS = "documents", "物业服务必需资料"
    REVENUE = "revenue", "公共收益账户余额及账册"
    FUND = "fund", "维修资金使用记录"
    KEYS = "keys", "钥匙及门禁卡"


class ItemStatus(models.TextChoices):
    OPEN = "open", "待确认"
    CONFIRMED = "confirmed", "已确认接收"
    DISPUTED = "disputed", "有争议"


class HandoverItem(models.Model):
    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="items", verbose_name="移交"
    )
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("类别", max_length=12, choices=ItemKind.choices)
    label = models.CharField("移交事项", max_length=100)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    evidence = models.CharField("接收凭证说明", max_length=300, blank=True)
    evidence_file = models.FileField("凭证附件", upload_to="assets/handover/%Y/%m/", blank=True)
    dispute = models.CharField("争议说明", max_length=300, blank=True)
    answer = models.CharField("退出方答复", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "移交清单事项"
        ordering = ["handover_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["handover", "seq"], name="handover_item_seq")]


# --- maintenance fund use (维修资金使用) ------------------------------------------------------------------------


class WorkKind(models.TextChoices):
    ELEVATOR = "elevator", "电梯维修更新"
    ROOF = "roof", "屋面防水"
    WALL = "wall", "外墙维修"
    WATER = "water", "给排水设施"
    FIRE = "fire", "消防设施"
    DRAIN = "drain", "排水管道疏通"
    LIGHTING = "lighting", "公共照明"
    CLEANING = "cleaning", "日常保洁绿化"
    STAFF = "staff", "物业人员工资"
    OFFICE = "office", "物业用房装修"


# R4: the fund pays repair, renewal and renovation of common parts only; daily service costs are the company's
FUND_ALLOWED_WORK = frozenset(
    {
        WorkKind.ELEVATOR,
        WorkKind.ROOF,
        WorkKind.WALL,
        WorkKind.WATER,
        WorkKind.FIRE,
        WorkKind.DRAIN,
        WorkKind.LIGHTING,
    }
)
# 165号令 art. 24: the emergencies that allow use without a prior owners' vote
EMERGENCY_WORK = frozenset(
    {WorkKind.ELEVATOR, WorkKind.FIRE, WorkKind.ROOF, WorkKind.WALL, WorkKind.WATER, WorkKind.DRAIN}
)


class FundRoute(models.TextChoices):
    VOTE = "vote", "业主表决（专有面积、人数双过半）"
    EMERGENCY = "emergency", "应急使用程序"


class FundUseStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    APPROVED = "approved", "已审核"
    PAID = "paid", "已划拨"
    ACCEPTED = "accepted", "已验收"
    REJECTED = "rejected", "已退回"


FUND_USE_SPENT = frozenset({FundUseStatus.PAID, FundUseStatus.ACCEPTED})
FUND_USE_COMMITTED = frozenset({FundUseStatus.APPLIED, FundUseStatus.APPROVED})


class FundUse(models.Model):
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fund_uses", verbose_name="小区"
    )
    title = models.CharField("使用项目", max_length=120)
    work_kind = models.CharField("项目类别", max_length=10, choices=WorkKind.choices)
    amount = models.DecimalField("金额（元）", **MONEY)
    parts = models.CharField("涉及部位及业主范围", max_length=200)
    route = models.CharField("使用程序", max_length=10, choices=FundRoute.choices)
    motion = models.ForeignKey(
        "voting.Motion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_uses",
        verbose_name="业主表决事项",
    )
    emergency_facts = models.CharField("应急情形说明", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=FundUseStatus.choices, default=FundUseStatus.APPLIED
    )
    applied_on = models.DateField("申请日期")
    approved_on = models.DateField("审核日期", null=True, blank=True)
    paid_on = models.DateField("划拨日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "维修资金使用"
        ordering = ["-applied_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_use_amount_positive")]


# --- parking --------------------------------------------------------------------------------------------------


class SpaceKind(models.TextChoices):
    OWNED = "owned", "产权车位"
    COMMON = "common", "共有部位车位"
    RENTED = "rented", "开发商出租车位"
    PUBLIC = "public", "公共临时车位"


class ParkingSpace(models.Model):
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="parking_spaces", verbose_name="小区"
    )
    number = models.CharField("车位号", max_length=20)
    kind = models.CharField("类型", max_length=8, choices=SpaceKind.choices)
    user_label = models.CharField("使用人（房号）", max_length=60, blank=True)
    plate = models.CharField("登记车牌", max_length=12, blank=True)
    monthly_rent = models.DecimalField("月租金（元）", null=True, blank=True, **MONEY)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "停车位"
        ordering = ["estate_id", "number"]
        constraints = [models.UniqueConstraint(fields=["estate", "number"], name="parking_space_unique")]
