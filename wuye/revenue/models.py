"""公共收益 (§5, R3) and 住宅专项维修资金 (R4).

Entries are append-only: a correction or an annulment is a reversing entry; every balance is a SUM, never stored.
A published disclosure keeps a snapshot of its totals so anyone can re-check the statement later.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from wuye.common.dates import cn_date

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class AccountStatus(models.TextChoices):
    PENDING = "pending", "待纳入监管"
    SUPERVISED = "supervised", "已纳入监管"
    CLOSED = "closed", "已销户"


# An account in these states counts as "the estate has a supervised account" for check 2.1.
ACCOUNT_OPEN_STATES = frozenset({AccountStatus.PENDING, AccountStatus.SUPERVISED})
ACCOUNT_TRANSITIONS: dict[str, frozenset[str]] = {
    AccountStatus.PENDING: frozenset({AccountStatus.SUPERVISED, AccountStatus.CLOSED}),
    AccountStatus.SUPERVISED: frozenset({AccountStatus.PENDING, AccountStatus.CLOSED}),
    AccountStatus.CLOSED: frozenset(),
}


class HolderKind(models.TextChoices):
    COMMITTEE = "committee", "业主委员会/物业管理委员会"
    BUREAU = "bureau", "住建局代管（监管账户）"
    COMPANY = "company", "物业服务企业（监管账户）"


class RevenueAccount(models.Model):
    """公共收益专门账户 / 监管账号: one per estate."""

    estate = models.OneToOneField(
        "registry.Estate", on_delete=models.PROTECT, related_name="revenue_account", verbose_name="小区"
    )
    bank = models.CharField("开户银行", max_length=100)
    number = models.CharField("账号", max_length=40)
    holder = models.CharField("户名", max_length=120)
    holder_kind = models.CharField("账户持有方", max_length=12, choices=HolderKind.choices)
    opened_on = models.DateField("开户日期")
    status = models.CharField(
        "监管状态", max_length=12, choices=AccountStatus.choices, default=AccountStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "公共收益账户"
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="revenue_account_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} 公共收益账户"

    @property
    def masked_number(self) -> str:
        n = self.number
        return n if len(n) <= 8 else f"{n[:4]}****{n[-4:]}"


class Art278Item(models.IntegerChoices):
    RULES = 1, "制定和修改业主大会议事规则"
    BYLAWS = 2, "制定和修改管理规约"
    COMMITTEE = 3, "选举或者更换业主委员会成员"
    PROVIDER = 4, "选聘和解聘物业服务企业或者其他管理人"
    FUND_USE = 5, "使用建筑物及其附属设施的维修资金"
    FUND_RAISE = 6, "筹集建筑物及其附属设施的维修资金"
    REBUILD = 7, "改建、重建建筑物及其附属设施"
    COMMON_BUSINESS = 8, "改变共有部分的用途或者利用共有部分从事经营活动"
    OTHER = 9, "有关共有和共同管理权利的其他重大事项"


class Resolution(models.Model):
    """An owners' decision (业主大会决议) that allows a use of public revenue or of common parts."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="revenue_resolutions", verbose_name="小区"
    )
    title = models.CharField("决议名称", max_length=200)
    decided_on = models.DateField("表决通过日期")
    item = models.PositiveSmallIntegerField("《民法典》第278条事项", choices=Art278Item.choices)
    document_no = models.CharField("文号", max_length=60, blank=True)
    assembly_ref = models.CharField("电子表决编号/链接", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "业主大会决议"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{cn_date(self.decided_on)}）"


class IncomeSource(models.TextChoices):
    ELEVATOR_AD = "elevator_ad", "电梯广告"
    PARKING = "parking", "道闸停车"
    VENUE = "venue", "场地租赁"
    LOCKER = "locker", "快递柜"
    BASE_STATION = "base_station", "通信基站"
    OTHER = "other", "其他"


class EntryUse(models.TextChoices):
    """What an expense or allocation is for; `RESOLUTION_REQUIRED` says which need an owners' decision."""

    OPERATING_COST = "operating_cost", "经营合理成本（电费、维护等）"
    REPAIR = "repair", "共有部位维修养护"
    WELFARE = "welfare", "业主公共福利/活动"
    OTHER_EXPENSE = "other_expense", "其他支出"
    FUND = "fund", "补充住宅专项维修资金"
    COMPANY_COST = "company_cost", "物业企业管理成本分成"
    OWNERS = "owners", "按决议分配给业主"


EXPENSE_USES = frozenset({EntryUse.OPERATING_COST, EntryUse.REPAIR, EntryUse.WELFARE, EntryUse.OTHER_EXPENSE})
ALLOCATION_USES = frozenset({EntryUse.FUND, EntryUse.COMPANY_COST, EntryUse.OWNERS})
# R3: reasonable costs of earning the income and topping up the maintenance fund need no vote; every other use is
# "used as the assembly decides". The company's cost share needs a vote only above REVENUE_MAX_COST_SHARE of the
# period's income (checked per period, see checks.py).
RESOLUTION_REQUIRED = frozenset({EntryUse.REPAIR, EntryUse.WELFARE, EntryUse.OTHER_EXPENSE, EntryUse.OWNERS})


class EntryKind(models.TextChoices):
    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"
    ALLOCATION = "allocation", "分配"
    REVERSAL = "reversal", "冲正"


class Direction(models.TextChoices):
    IN = "in", "收入"
    OUT = "out", "支出"


class UsageContract(models.Model):
    """A contract for business use of common parts (e.g. elevator ads): the income it should bring is known."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="revenue_contracts", verbose_name="小区"
    )
    source = models.CharField("收益来源", max_length=20, choices=IncomeSource.choices)
    counterparty = models.CharField("合同相对方", max_length=120)
    location = models.CharField("使用部位", max_length=200, blank=True)
    monthly_amount = models.DecimalField("月收益（元）", **MONEY)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    document_no = models.CharField("合同编号", max_length=60, blank=True)
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="usage_contracts",
        verbose_name="业主大会决议",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "共有部位经营合同"
        ordering = ["estate_id", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="revenue_contract_dates"),
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0), name="revenue_contract_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.counterparty}"


class Entry(models.Model):
    """One line of the public-revenue ledger. Never updated or deleted."""

    account = models.ForeignKey(
        RevenueAccount, on_delete=models.PROTECT, related_name="entries", verbose_name="账户"
    )
    number = models.PositiveIntegerField("凭证序号")
    occurred_on = models.DateField("发生日期")
    kind = models.CharField("类型", max_length=12, choices=EntryKind.choices)
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    amount = models.DecimalField("金额（元）", **MONEY)
    source = models.CharField("收益来源", max_length=20, choices=IncomeSource.choices, blank=True)
    use = models.CharField("支出/分配用途", max_length=20, choices=EntryUse.choices, blank=True)
    description = models.CharField("摘要", max_length=200)
    counterparty = models.CharField("对方单位", max_length=120, blank=True)
    usage_contract = models.ForeignKey(
        UsageContract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name="经营合同",
    )
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name="业主大会决议",
    )
    needs_resolution = models.BooleanField("须经业主大会决议", default=False)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name="冲正的原分录",
    )
    reason = models.CharField("冲正原因", max_length=300, blank=True)
    is_annulment = models.BooleanField("专班撤销", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "公共收益分录"
        ordering = ["occurred_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="revenue_entry_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="revenue_entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                name="revenue_reversal_has_original",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "occurred_on", "number"], name="revenue_entry_period"),
            # Balances are SUMs up to a date: this index answers them without reading the table (index-only scan).
            models.Index(
                fields=["account", "occurred_on", "direction", "amount"], name="revenue_entry_balance"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.description}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.direction == Direction.IN else -self.amount


class EntryVoucher(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="vouchers", verbose_name="分录")
    file = models.FileField("文件", upload_to="revenue/vouchers/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "记账凭证"


class CommonPartBusiness(models.Model):
    """Business found on common parts (at inspection or reported): it needs a contract and an owners' vote (R3)."""

    estate = models.ForeignKey(
        "registry.Estate",
        on_delete=models.PROTECT,
        related_name="common_part_businesses",
        verbose_name="小区",
    )
    source = models.CharField("经营类型", max_length=20, choices=IncomeSource.choices)
    location = models.CharField("位置", max_length=200)
    description = models.CharField("情况描述", max_length=500)
    found_on = models.DateField("发现日期")
    usage_contract = models.ForeignKey(
        UsageContract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name="经营合同",
    )
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name="业主大会决议",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "共有部位经营情况"
        ordering = ["-found_on", "-id"]


class Disclosure(models.Model):
    """公示: a period statement, published once; the totals are a snapshot taken at publication."""

    account = models.ForeignKey(
        RevenueAccount, on_delete=models.PROTECT, related_name="disclosures", verbose_name="账户"
    )
    period_key = models.CharField("期间", max_length=10)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    opening_balance = models.DecimalField("期初余额", **MONEY)
    income_total = models.DecimalField("本期收入", **MONEY)
    outgo_total = models.DecimalField("本期支出及分配", **MONEY)
    closing_balance = models.DecimalField("期末余额", **MONEY)
    line_count = models.PositiveIntegerField("明细条数")
    digest = models.CharField("明细摘要值（SHA-256）", max_length=64)
    note = models.CharField("公示说明", max_length=500, blank=True)
    published_at = models.DateTimeField("公示时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="公示人",
    )
    objection_until = models.DateField("异议截止日期")

    class Meta:
        verbose_name = verbose_name_plural = "公共收益公示"
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period_key"], name="revenue_disclosure_one_per_period"
            ),
        ]
        indexes = [models.Index(fields=["account", "-period_end"], name="revenue_disclosure_latest")]

    def __str__(self) -> str:
        from .periods import period_from_key

        return f"{self.account.estate.name} {period_from_key(self.period_key).label}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class Objection(models.Model):
    """异议: an owner questions one line of a published statement; the company answers by a deadline."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, related_name="objections", verbose_name="公示"
    )
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="objections", verbose_name="分录")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    answer_due = models.DateField("答复期限")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["raised_at", "id"]


class ReviewComment(models.Model):
    """The committee's (or the bureau's) review remark on a statement."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, related_name="comments", verbose_name="公示"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="审阅人"
    )
    text = models.TextField("审阅意见")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "审阅意见"
        ordering = ["created_at", "id"]


# --- special maintenance fund (R4) ------------------------------------------------------------------------


class Collector(models.TextChoices):
    DEVELOPER = "developer", "开发建设单位代收"
    COMPANY = "company", "物业服务企业代收"
    DIRECT = "direct", "业主直接缴存专户"


class DueBasis(models.TextChoices):
    AREA = "area", "面积 × 缴存标准"
    BILLED = "billed", "按核定金额"


class FundDue(models.Model):
    """One first deposit due (per unit, or a billed lump). Status follows from the dates: 应缴 → 已代收 → 已归集."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="fund_dues", verbose_name="小区"
    )
    unit = models.OneToOneField(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_due",
        verbose_name="房屋",
    )
    label = models.CharField("缴存对象", max_length=100)
    basis = models.CharField("计算方式", max_length=8, choices=DueBasis.choices)
    area = models.DecimalField("面积（㎡）", max_digits=10, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField("缴存标准（元/㎡）", max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("应缴金额", **MONEY)
    due_date = models.DateField("上缴期限")
    collector = models.CharField("代收方", max_length=10, choices=Collector.choices)
    collector_name = models.CharField("代收单位", max_length=120)
    collected_on = models.DateField("代收日期", null=True, blank=True)
    deposited_on = models.DateField("存入专户日期", null=True, blank=True)
    deposit_ref = models.CharField("专户入账凭证号", max_length=60, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "维修资金应缴"
        ordering = ["estate_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_due_amount_positive"),
            models.CheckConstraint(
                condition=Q(deposited_on__isnull=True) | Q(collected_on__isnull=False),
                name="fund_due_deposit_after_collect",
            ),
        ]
        indexes = [models.Index(fields=["collector_name", "deposited_on"], name="fund_due_collector")]

    @property
    def status_label(self) -> str:
        if self.deposited_on:
            return "已存入专户"
        if self.collected_on:
            return "已代收未上缴"
        return "未缴"
