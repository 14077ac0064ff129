"""台账事项 (§4). Statuses and allowed transitions are declared in `workflow.py`; services enforce them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from wuye.kernel.case_states import CLOSED_STATES as CLOSED_STATES  # the ledger's vocabulary, re-exported
from wuye.kernel.case_states import DEADLINE_STATES as DEADLINE_STATES
from wuye.kernel.case_states import OPEN_STATES as OPEN_STATES
from wuye.kernel.case_states import CaseStatus as CaseStatus
from wuye.kernel.taxonomy import Category


class Case(models.Model):
    number = models.CharField("编号", max_length=32, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("年度序号")  # within the county's year: the number is unique
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="cases", verbose_name="小区"
    )
    company = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="物业企业（立案时合同方）",
    )
    category = models.CharField("问题类别", max_length=4, choices=Category.choices, db_index=True)
    title = models.CharField("标题", max_length=120, blank=True)
    description = models.TextField("问题描述")
    source_channel = models.CharField("问题来源", max_length=24, blank=True, db_index=True)
    status = models.CharField("状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    # the rectification plan, required to enter `rectifying`
    target = models.TextField("整改目标", blank=True)
    measures = models.TextField("整改措施/路径", blank=True)
    responsible = models.CharField("整改责任人", max_length=60, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    progress = models.TextField("进展情况", blank=True)
    closed_reason = models.TextField("办结说明", blank=True)
    report_count = models.PositiveIntegerField("反映人次", default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name="并入事项",
    )
    # Set by `tick` when the case first passes its deadline; cleared when the deadline moves.
    overdue_marked_at = models.DateTimeField("逾期登记时间", null=True, blank=True)
    # The time-limit tier (wuye.cases.timelimits): urgent (from an urgent lead, or set by the task force), complex
    # (set by the task force), else ordinary. An urgent rectification is due to the hour: `due_at`.
    urgent = models.BooleanField("紧急", default=False)
    complex = models.BooleanField("复杂事项", default=False)
    due_at = models.DateTimeField("完成时限（时刻）", null=True, blank=True)
    # 签收: the company acknowledges the case within CASE_SIGN_HOURS (CASE_URGENT_SIGN_HOURS when urgent)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签收人",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="立案人",
    )
    created_at = models.DateTimeField("立案时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账事项"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["rectifying", "submitted", "returned", "accepted"])
                | (Q(deadline__isnull=False) & ~Q(target="") & ~Q(measures="") & ~Q(responsible="")),
                name="case_plan_required",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="case_merged_has_target"
            ),
            models.CheckConstraint(condition=~(Q(urgent=True) & Q(complex=True)), name="case_one_tier"),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["estate", "status"], name="case_estate_status"),
            models.Index(fields=["company", "status"], name="case_company_status"),
            models.Index(fields=["category", "status"], name="case_category_status"),
            models.Index(fields=["-created_at", "-id"], name="case_created_desc"),
            models.Index(fields=["estate", "-created_at"], name="case_estate_created"),
            models.Index(fields=["company", "-created_at"], name="case_company_created"),
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            # company scope: capped counts and the to-do list run as index-only scans
            models.Index(fields=["company", "estate"], name="case_company_estate"),
            models.Index(fields=["company", "status", "deadline", "estate"], name="case_company_status_dl"),
            # the queues: urgent first, then newest
            models.Index(fields=["-urgent", "-created_at", "-id"], name="case_urgent_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tier(self) -> str:
        return "urgent" if self.urgent else "complex" if self.complex else "ordinary"

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]


TIER_LABELS = {"urgent": "紧急", "ordinary": "一般", "complex": "复杂"}


class CaseSequence(models.Model):
    """One county's counter for one year (keyed by the county's case prefix, unique across counties); locking it
    gives that county gap-free consecutive numbers under concurrent creation, and two counties never wait for
    each other."""

    prefix = models.CharField("编号前缀", max_length=8)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_sequence_unique_prefix_year")
        ]


class CaseEvent(models.Model):
    """One entry of a case's timeline: every transition, action, note. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name="台账事项")
    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=120)
    text = models.TextField("内容", blank=True)
    # What a resident may read on the tracking page (no personal data, no staff notes).
    public = models.BooleanField("对反映人公开", default=False)
    public_text = models.TextField("公开说明", blank=True)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人（记录时）", max_length=150)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项进展"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.title}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", verbose_name="台账事项"
    )
    event = models.ForeignKey(
        CaseEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name="进展",
    )
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "事项附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class CaseExtension(models.Model):
    """延期申请: asked by the company, decided by the task force; the deadline history stays visible."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="extensions", verbose_name="台账事项"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    old_deadline = models.DateField("原完成时限")
    requested_deadline = models.DateField("申请延至")
    granted_deadline = models.DateField("批准延至", null=True, blank=True)
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="extension_one_pending"
            ),
        ]


class ActionKind(models.TextChoices):
    INTERVIEW = "interview", "约谈企业法人"
    RESTRICT_HONOURS = "restrict_honours", "限制评优评先"
    PENALTY = "penalty", "行政处罚"
    REFERRAL = "referral", "移送"
    DISMISSAL = "dismissal", "引导业主解聘"


class CaseAction(models.Model):
    """An escalation recorded on a case (§4 side paths). Credit scoring reads these."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions", verbose_name="台账事项")
    company = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_actions",
        verbose_name="物业企业",
    )
    kind = models.CharField("措施", max_length=20, choices=ActionKind.choices, db_index=True)
    date = models.DateField("日期")
    # interview
    interviewee = models.CharField("约谈对象", max_length=100, blank=True)
    interviewers = models.CharField("约谈人", max_length=200, blank=True)
    minutes = models.TextField("约谈纪要", blank=True)
    # penalty
    amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    decision_number = models.CharField("处罚决定书文号", max_length=100, blank=True)
    # referral
    department = models.CharField("移送单位", max_length=100, blank=True)
    # restriction / dismissal / any
    period_end = models.DateField("限制期至", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    handover = models.ForeignKey(
        "HandoverRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="移交记录",
    )
    event = models.OneToOneField(
        CaseEvent, on_delete=models.PROTECT, related_name="action", verbose_name="进展"
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
        verbose_name = verbose_name_plural = "督办措施"
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="penalty") | Q(amount__gt=0), name="action_penalty_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class HandoverStatus(models.TextChoices):
    OPEN = "open", "移交中"
    DONE = "done", "已完成移交"
    CANCELLED = "cancelled", "已撤销"


class HandoverRecord(models.Model):
    """移交 (§7, R5), opened by 引导业主解聘. The full handover module builds on this record."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="handovers", verbose_name="小区"
    )
    contract = models.ForeignKey(
        "registry.ServiceContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name="物业服务合同",
    )
    opened_from_case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name="来源事项",
    )
    deadline = models.DateField("移交期限")
    status = models.CharField(
        "状态", max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.OPEN
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
        verbose_name = verbose_name_plural = "移交记录"
        constraints = [
            models.UniqueConstraint(fields=["estate"], condition=Q(status="open"), name="handover_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.estate} 移交"


class RevisitBatch(models.Model):
    """回头看: a reproducible random sample of accepted cases (per estate, optional category)."""

    seed = models.IntegerField("随机种子")
    per_estate = models.PositiveSmallIntegerField("每小区抽取")
    category = models.CharField("问题类别", max_length=4, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="抽取人",
    )
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = verbose_name_plural = "回头看抽查批次"
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seed", "per_estate", "category"], name="revisit_batch_unique"),
        ]

    def __str__(self) -> str:
        return f"回头看 #{self.pk}（种子 {self.seed}）"


class RevisitResult(models.TextChoices):
    PENDING = "pending", "待复查"
    PASSED = "passed", "复查合格"
    FAILED = "failed", "复查不合格（已重新整改）"


class Revisit(models.Model):
    batch = models.ForeignKey(
        RevisitBatch, on_delete=models.PROTECT, related_name="revisits", verbose_name="批次"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="revisits", verbose_name="台账事项")
    result = models.CharField(
        "结果", max_length=10, choices=RevisitResult.choices, default=RevisitResult.PENDING
    )
    finding = models.TextField("复查情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="复查人",
    )
    recorded_at = models.DateTimeField("复查时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回头看复查"
        ordering = ["batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "case"], name="revisit_unique_case")]
