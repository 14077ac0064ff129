"""台账事项 (§4). Statuses and allowed transitions are declared in `workflow.py`; services enforce them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .taxonomy import Category


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    VERIFYING = "verifying", "核查中"
    UNFOUNDED = "unfounded", "不属实（已办结）"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "待验收"
    RETURNED = "returned", "退回整改"
    ACCEPTED = "accepted", "已销号"


OPEN_STATES = frozenset({CaseStatus.RECEIVED, CaseStatus.VERIFYING, CaseStatus.RECTIFYING,
                         CaseStatus.SUBMITTED, CaseStatus.RETURNED})
CLOSED_STATES = frozenset({CaseStatus.UNFOUNDED, CaseStatus.ACCEPTED})
# States in which the deadline runs and the case can become overdue.
DEADLINE_STATES = frozenset({CaseStatus.RECTIFYING, CaseStatus.RETURNED})


class Case(models.Model):
    number = models.CharField("编号", max_length=32, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("年度序号")
    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="cases", verbose_name="小区")
    company = models.ForeignKey(
        "registry.PropertyCompany", null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="立案人",
    )
    created_at = models.DateTimeField("立案时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账事项"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="case_unique_year_seq"),
            models.CheckConstraint(
                condition=~Q(status__in=["rectifying", "submitted", "returned", "accepted"])
                | (Q(deadline__isnull=False) & ~Q(target="") & ~Q(measures="") & ~Q(responsible="")),
                name="case_plan_required",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["estate", "status"], name="case_estate_status"),
            models.Index(fields=["company", "status"], name="case_company_status"),
            models.Index(fields=["category", "status"], name="case_category_status"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseSequence(models.Model):
    """Per-year counter row; locking it gives gap-free consecutive numbers under concurrent creation."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
