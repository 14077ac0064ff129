"""§6: the companies' monthly reports (月报), the lateness events the credit module scores, and the per-day,
per-estate summary the dashboard and the public progress page read."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "已通过"


# who may move a report from which state (the services check it)
SUBMITTABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
EDITABLE = SUBMITTABLE


class MonthlyReport(models.Model):
    """One company's report for one estate it serves and one month (整改工作进度和成效)."""

    company = models.ForeignKey(
        "registry.PropertyCompany",
        on_delete=models.PROTECT,
        related_name="monthly_reports",
        verbose_name="物业企业",
    )
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="monthly_reports", verbose_name="小区"
    )
    month = models.DateField("报告月份")  # the first day of the month reported on
    due_date = models.DateField("报送截止日")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # the figures prefilled from the ledger when the draft was made (and refreshed while it is a draft)
    figures = models.JSONField("整改数据", default=dict, blank=True)
    progress_lines = models.JSONField("在办事项进展", default=list, blank=True)
    text = models.TextField("工作进展和成效", blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    review_comment = models.TextField("专班意见", blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "物业企业月报"
        ordering = ["-month", "estate__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "estate", "month"], name="monthly_report_unique"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="monthly_report_month_status")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.estate_id}"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class MonthlyReportAttachment(models.Model):
    report = models.ForeignKey(
        MonthlyReport, on_delete=models.PROTECT, related_name="attachments", verbose_name="月报"
    )
    file = models.FileField("文件", upload_to="oversight/%Y/%m/")
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
        verbose_name = verbose_name_plural = "月报附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ReminderKind(models.TextChoices):
    BEFORE = "before", "截止前提醒"
    DUE_DAY = "due_day", "截止当日提醒"


class ReportReminder(models.Model):
    """A reminder sent for (company, estate, month): the unique row makes a second tick send nothing."""

    company = models.ForeignKey("registry.PropertyCompany", on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("报告月份")
    kind = models.CharField("类型", max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField("发送时间")

    class Meta:
        verbose_name = verbose_name_plural = "月报提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "estate", "month", "kind"], name="report_reminder_once"
            ),
        ]


class ReportLateness(models.Model):
    """The event the credit module scores: one row per (company, estate, month) whose report was late or missing.

    Written once by the tick (`lateness_record`) when the month's report was first submitted after its due date
    (`days_late` = calendar days after the due date; `missing` False) or is still not submitted on the day after the
    due date (`missing` True, `days_late` = 1 as recorded; the row is not rewritten later: one event per month).
    """

    company = models.ForeignKey(
        "registry.PropertyCompany",
        on_delete=models.PROTECT,
        related_name="report_lateness",
        verbose_name="物业企业",
    )
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="+", verbose_name="小区"
    )
    month = models.DateField("报告月份")
    due_date = models.DateField("报送截止日")
    missing = models.BooleanField("截止时未报送", default=False)
    days_late = models.PositiveIntegerField("逾期天数")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "月报逾期记录"
        ordering = ["-month", "company_id", "estate_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "estate", "month"], name="report_lateness_once"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m} {'未报' if self.missing else f'迟报{self.days_late}天'}"


class DailySummary(models.Model):
    """Per day, estate and category: cases received that day, and cases closed that day that are still closed
    (accepted / unfounded). Recomputed idempotently by the tick (`summary_refresh`); the dashboard and the public
    progress page sum these rows instead of scanning the ledger."""

    day = models.DateField("日期")
    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.CASCADE, related_name="+", verbose_name="小区"
    )
    town_id = models.IntegerField("乡镇/街道")  # denormalised: filters by town without a join
    category = models.CharField("问题类别", max_length=4)
    received = models.PositiveIntegerField("受理", default=0)
    accepted = models.PositiveIntegerField("销号", default=0)
    unfounded = models.PositiveIntegerField("不属实办结", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每日统计"
        constraints = [
            models.UniqueConstraint(fields=["day", "estate", "category"], name="daily_summary_unique"),
            models.CheckConstraint(
                condition=Q(received__gt=0) | Q(accepted__gt=0) | Q(unfounded__gt=0),
                name="daily_summary_nonzero",
            ),
        ]
        indexes = [models.Index(fields=["day", "town_id"], name="daily_summary_day_town")]


class MonthSummary(models.Model):
    """`DailySummary` summed per month, town and category (recomputed with it by the tick): a period of whole
    months reads these few rows; its partial months at either end read the daily rows."""

    month = models.DateField("月份")  # the first day of the month
    town_id = models.IntegerField("乡镇/街道")
    category = models.CharField("问题类别", max_length=4)
    received = models.PositiveIntegerField("受理", default=0)
    accepted = models.PositiveIntegerField("销号", default=0)
    unfounded = models.PositiveIntegerField("不属实办结", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每月统计"
        constraints = [
            models.UniqueConstraint(fields=["month", "town_id", "category"], name="month_summary_unique")
        ]


class StateSummary(models.Model):
    """Per estate, company and category: how many cases are in each status now, how many are overdue now, and the
    closure figures since the campaign began (found true; accepted). Recomputed in full by the tick
    (`summary_refresh`); the dashboard's status, top-estate/company and closure figures sum these rows."""

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.CASCADE, related_name="+", verbose_name="小区"
    )
    town_id = models.IntegerField("乡镇/街道")  # denormalised: filters by town without a join
    company = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="物业企业",
    )
    category = models.CharField("问题类别", max_length=4)
    # one column per case status (the field name is the status value)
    received = models.PositiveIntegerField("已受理", default=0)
    verifying = models.PositiveIntegerField("核查中", default=0)
    unfounded = models.PositiveIntegerField("不属实", default=0)
    rectifying = models.PositiveIntegerField("整改中", default=0)
    submitted = models.PositiveIntegerField("待验收", default=0)
    returned = models.PositiveIntegerField("退回整改", default=0)
    accepted = models.PositiveIntegerField("已销号", default=0)
    merged = models.PositiveIntegerField("已并入", default=0)
    overdue = models.PositiveIntegerField("逾期", default=0)
    found_since = models.PositiveIntegerField("整治以来核查属实", default=0)
    accepted_since = models.PositiveIntegerField("整治以来核查属实并销号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事项状态统计"
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "company", "category"], name="state_summary_unique", nulls_distinct=False
            )
        ]


TENTH_OF_DAY = 8640  # seconds


class CloseDays(models.Model):
    """Cases accepted since the campaign began, per category and days from receipt to acceptance in tenths of a
    day: the dashboard's median days to close is read from these buckets. Recomputed by the tick."""

    category = models.CharField("问题类别", max_length=4)
    tenths = models.PositiveIntegerField("办结时长（0.1 天）")
    n = models.PositiveIntegerField("事项数")

    class Meta:
        verbose_name = verbose_name_plural = "办结时长分布"
        constraints = [models.UniqueConstraint(fields=["category", "tenths"], name="close_days_unique")]


class NotableCase(models.Model):
    """A case the task force picks for the month's report to the city, with a one-line summary (no personal data:
    the summary is written for the city)."""

    month = models.DateField("报告月份")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="台账事项"
    )
    summary = models.CharField("一句话概述", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="选取人"
    )
    created_at = models.DateTimeField("选取时间")

    class Meta:
        verbose_name = verbose_name_plural = "典型案例"
        ordering = ["month", "id"]
        constraints = [models.UniqueConstraint(fields=["month", "case"], name="notable_case_once")]

    def __str__(self) -> str:
        return self.summary
