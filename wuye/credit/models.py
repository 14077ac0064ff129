"""企业信用 (§10, R8). Credit events are derived from other apps' records by `sources.py` (never typed in twice);
scores are never stored: `scoring.py` derives them, as of any date, with the rule version then in force."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    AMENDED = "amended", "复核变更"
    ANNULLED = "annulled", "复核撤销"


class CreditEvent(models.Model):
    """One fact about a company, keyed by (type, source key): a collector's second run finds it and adds nothing."""

    type = models.CharField("事件类型", max_length=40)
    source_key = models.CharField("来源键", max_length=120)
    company = models.ForeignKey(
        "registry.PropertyCompany",
        on_delete=models.PROTECT,
        related_name="credit_events",
        verbose_name="物业企业",
    )
    estate = models.ForeignKey(
        "registry.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_events",
        verbose_name="小区",
    )
    date = models.DateField("发生日期")
    expires = models.DateField("失效日期")
    # one neutral sentence: no personal data, no complaint text (public pages show it)
    summary = models.CharField("事实", max_length=300)
    source_label = models.CharField("来源", max_length=120)
    source_url = models.CharField("来源链接", max_length=200, blank=True)
    details = models.JSONField("来源数据", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=EventStatus.choices, default=EventStatus.ACTIVE)
    points_override = models.IntegerField("复核后分值", null=True, blank=True)
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "信用事件"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["type", "source_key"], name="credit_event_unique_source"),
            models.CheckConstraint(
                condition=~Q(status="amended") | Q(points_override__isnull=False),
                name="credit_event_amended_points",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "date"], name="credit_event_company_date"),
            models.Index(fields=["type", "date"], name="credit_event_type_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.source_key}"


class CreditRecord(models.Model):
    """A fact only the task force knows (表彰, a veto event): entered here, turned into an event by its source."""

    type = models.CharField("事件类型", max_length=40)
    company = models.ForeignKey(
        "registry.PropertyCompany", on_delete=models.PROTECT, related_name="+", verbose_name="物业企业"
    )
    estate = models.ForeignKey(
        "registry.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="小区",
    )
    date = models.DateField("日期")
    text = models.CharField("事实（一句话，不含个人信息）", max_length=300)
    document_no = models.CharField("文件/决定文号", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "专班录入的信用信息"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.date}"


class CreditRuleVersion(models.Model):
    """The scoring rules from a date on. Never edited: a change is a new version; a score as of a date uses the
    latest version whose `effective_from` is on or before it (the county settings before the first version)."""

    effective_from = models.DateField("生效日期")
    base_score = models.IntegerField("基础分")
    points = models.JSONField("事件分值")  # {type: points}
    bands = models.JSONField("等级分数线")  # {"AAA": 95, "AA": 85, "A": 70}
    veto_types = models.JSONField("一票否决事件类型")  # [type, ...]
    note = models.CharField("修订说明", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="修订人"
    )
    created_at = models.DateTimeField("修订时间")

    class Meta:
        verbose_name = verbose_name_plural = "信用评价规则版本"
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"规则（{self.effective_from} 起）"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "复核中"
    UPHELD = "upheld", "维持"
    AMENDED = "amended", "变更分值"
    ANNULLED = "annulled", "撤销记录"


OBJECTION_DECISIONS = (ObjectionStatus.UPHELD, ObjectionStatus.AMENDED, ObjectionStatus.ANNULLED)


class CreditObjection(models.Model):
    """A company's objection to one of its events (异议), decided by the task force (复核); kept whatever the outcome."""

    event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, related_name="objections", verbose_name="信用事件"
    )
    reasons = models.TextField("异议理由")
    evidence = models.FileField("证明材料", upload_to="credit/objections/%Y/%m/", blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    raised_at = models.DateTimeField("提出时间")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decision_reason = models.TextField("复核理由", blank=True)
    points_before = models.IntegerField("复核前分值", null=True, blank=True)
    amended_points = models.IntegerField("变更后分值", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="复核人",
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用异议"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status="open"), name="credit_objection_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"异议 #{self.pk}"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Notice(models.Model):
    """通报: drafted by the task force from chosen cases, penalties and credit results; numbered when published."""

    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    items = models.JSONField("通报事项", default=list, blank=True)  # [{"kind", "key", "text"}]
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    seq = models.PositiveIntegerField("年度序号", null=True, blank=True)
    number = models.CharField("文号", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    created_at = models.DateTimeField("起草时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发布人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="notice_unique_year_seq"),
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(year__isnull=False) & Q(seq__isnull=False)),
                name="notice_published_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.title


class NoticeSequence(models.Model):
    """Per-year counter row; locking it gives gap-free numbers to concurrently published notices."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
