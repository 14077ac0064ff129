"""问题线索 (§3): every channel's report lands here, then joins a case, becomes one, or is rejected."""

from django.conf import settings
from django.db import models
from django.db.models import Q

# No 0/O/1/I/L: residents read these codes aloud over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class Channel(models.TextChoices):
    INSPECTION = "inspection", "深入小区检查"
    QUESTIONNAIRE = "questionnaire", "调查问卷"
    COLLECTION_STATION = "collection_station", "问题线索临时收集站"
    WEB = "web", "官网/公众号"
    PHONE = "phone", "投诉举报电话"
    EMAIL = "email", "邮箱"
    HOTLINE_12345 = "hotline_12345", "12345 政务服务便民热线"
    QR = "qr", "扫码即办"
    CHECK = "check", "系统自动核查"


class LeadStatus(models.TextChoices):
    NEW = "new", "待分拣"
    CASED = "cased", "已立案"
    MERGED = "merged", "已并入台账事项"
    REJECTED = "rejected", "不属于整治范围"
    TRANSFERRED = "transferred", "已转办"


class Lead(models.Model):
    # Every complaint is one INSERT into this table, so it carries only the indexes its pages use: the queue
    # (status, urgent, created_at), the estate's leads (estate, status), created_at, the tracking code and the
    # idempotency key. Lone status/channel/urgent/estate indexes were redundant and cost every submission.
    tracking_code = models.CharField("查询码", max_length=12, unique=True)
    channel = models.CharField("渠道", max_length=24, choices=Channel.choices)
    status = models.CharField("状态", max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    # no index of its own: lead_estate_status (estate, status) serves every lookup by estate
    estate = models.ForeignKey(
        "registry.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name="小区",
        db_index=False,
    )
    # Whose desk holds a lead whose estate is not known yet (the county of the town the resident named, or of the
    # staff who entered or imported it); empty when nobody knows: every bureau may then place it. Once the lead
    # has an estate, the estate's county decides (leads_visible_to). No index: the unplaced are few.
    county = models.ForeignKey(
        "registry.County",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理县（区）",
        db_index=False,
    )
    estate_needs_confirmation = models.BooleanField("小区待人工确认", default=False)
    address = models.CharField("地址", max_length=300, blank=True)
    text = models.TextField("反映内容")
    category_hint = models.CharField("反映人选择的类别", max_length=4, blank=True)
    category = models.CharField("分拣类别", max_length=4, blank=True)
    urgent = models.BooleanField("紧急", default=False)
    complainant_name = models.CharField("反映人", max_length=60, blank=True)
    complainant_phone = models.CharField("联系电话", max_length=20, blank=True)
    complainant_email = models.EmailField("电子邮箱", max_length=200, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    # A key that makes intake idempotent: 12345 work-order number, e-mail Message-ID, QR idempotency key,
    # or the finding key of an automatic check. Unique when present.
    source_ref = models.CharField("来源编号", max_length=200, blank=True)
    evidence = models.JSONField("来源数据", default=dict, blank=True)
    due_date = models.DateField("办理时限", null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name="台账事项",
    )
    reject_reason = models.TextField("不予立案理由", blank=True)
    transfer_department = models.CharField("转办单位", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("收到时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "问题线索"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~Q(source_ref=""), name="lead_unique_source_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-urgent", "created_at"], name="lead_queue"),
            models.Index(fields=["estate", "status"], name="lead_estate_status"),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class LeadAttachment(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attachments", verbose_name="线索")
    file = models.FileField("文件", upload_to="leads/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "线索附件"


class LeadFeedback(models.Model):
    """回访: one row per answer of the complainant after a closure: a satisfaction rating (1–5, with a comment), or
    "问题没有解决" (`not_fixed`, their words in `comment`), which reopens the same case (`reopened`). A lead may have
    several: a rating, then "not fixed", then after the case is accepted again another rating, and so on. Ratings
    per company: `rating` of the rows whose lead's case is the company's (selectors.feedback_by_company)."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="feedbacks", verbose_name="线索")
    rating = models.PositiveSmallIntegerField("满意度（1–5）", null=True, blank=True)
    comment = models.TextField("评价", blank=True)
    not_fixed = models.BooleanField("反映未解决", default=False)
    reopened = models.BooleanField("已重新办理", default=False)
    # only for a lead with no case (rejected or transferred): the new lead the report opened
    followup_lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="复诉线索"
    )
    created_at = models.DateTimeField("评价时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "回访满意度"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} · {'未解决' if self.not_fixed else self.rating or '—'}"


class Inspection(models.Model):
    """深入小区检查: one visit with a checklist (see checklists.json); failed items become leads."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="inspections", verbose_name="小区"
    )
    checklist = models.CharField("检查表", max_length=40)
    results = models.JSONField(
        "检查结果", default=dict
    )  # {item_code: {"result": "pass|fail|na", "note": ""}}
    failed_count = models.PositiveSmallIntegerField("不合格项数", default=0)
    notes = models.TextField("备注", blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="检查人"
    )
    created_at = models.DateTimeField("检查时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "入户检查记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.estate} {self.created_at:%Y-%m-%d}"


class QuestionnaireResponse(models.Model):
    """调查问卷: one resident's answers about their estate's property service; feeds credit (by company)."""

    estate = models.ForeignKey(
        "registry.Estate",
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
        verbose_name="小区",
    )
    company = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
        verbose_name="物业企业（答卷时合同方）",
    )
    questionnaire = models.CharField("问卷", max_length=40)
    answers = models.JSONField("答案", default=dict)  # {question_code: 1..5}
    score = models.DecimalField("平均分", max_digits=4, decimal_places=2)
    comment = models.TextField("意见建议", blank=True)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="生成的线索"
    )
    source_ref = models.CharField("幂等键", max_length=80, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("答卷时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "问卷答卷"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~Q(source_ref=""), name="questionnaire_unique_ref"
            ),
        ]
        indexes = [models.Index(fields=["company", "created_at"], name="questionnaire_company")]

    def __str__(self) -> str:
        return f"{self.estate} {self.score}"


class Open311Client(models.Model):
    """An Open311 API client allowed to POST service requests (the spec's api_key)."""

    name = models.CharField("客户端名称", max_length=100)
    api_key = models.CharField("API 密钥", max_length=64, unique=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 客户端"

    def __str__(self) -> str:
        return self.name
