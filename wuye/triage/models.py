"""Triage suggestions for leads and the staff decisions on them (§9)."""

from django.conf import settings
from django.db import models


class Decision(models.TextChoices):
    PENDING = "pending", "待确认"
    ACCEPTED = "accepted", "采纳建议立案"
    CORRECTED = "corrected", "更正类别后立案"
    MERGED = "merged", "并入已有事项"
    REJECTED = "rejected", "不予立案"
    TRANSFERRED = "transferred", "转办"


class Suggestion(models.Model):
    """What the model said about a lead when it arrived, and what staff then decided."""

    lead = models.OneToOneField(
        "intake.Lead", on_delete=models.CASCADE, related_name="suggestion", verbose_name="线索"
    )
    model_version = models.CharField("模型版本", max_length=60)
    category = models.CharField("建议类别", max_length=4)
    top3 = models.JSONField("前三类别及概率", default=list)
    urgent = models.BooleanField("建议紧急", default=False)
    urgent_probability = models.FloatField("紧急概率", default=0.0)
    urgent_reason = models.CharField("紧急依据", max_length=300, blank=True)
    terms = models.JSONField("判断依据词", default=list)
    created_at = models.DateTimeField("生成时间")
    decision = models.CharField(
        "处理结果", max_length=12, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    final_category = models.CharField("最终类别", max_length=4, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "分拣建议"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.category}"

    @property
    def was_right(self) -> bool | None:
        if self.decision == Decision.PENDING or not self.final_category:
            return None
        return self.final_category == self.category


class Review(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "采用"
    REJECTED = "rejected", "不采用"


class Correction(models.Model):
    """A staff correction of a suggested category: training data for `triage_train --include-corrections` once the
    office head (bureau_admin) has approved it on the review page."""

    lead = models.ForeignKey(
        "intake.Lead", on_delete=models.CASCADE, related_name="triage_corrections", verbose_name="线索"
    )
    suggestion = models.ForeignKey(
        Suggestion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        verbose_name="原建议",
    )
    text = models.TextField("文本")
    suggested_category = models.CharField("建议类别", max_length=4, blank=True)
    category = models.CharField("更正类别", max_length=4)
    urgent = models.BooleanField("紧急", default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="更正人"
    )
    created_at = models.DateTimeField("更正时间", db_index=True)
    review = models.CharField(
        "审核", max_length=10, choices=Review.choices, default=Review.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分拣更正"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.suggested_category}→{self.category}"
