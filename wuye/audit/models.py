from typing import Any

from django.conf import settings
from django.db import models


class AuditHead(models.Model):
    """The head of one chain (its id is the chain number): the newest entry's hash and the chain's length.

    The trail is `AUDIT_CHAINS` parallel chains, so concurrent writers do not queue behind one row: a transaction
    takes a free chain and keeps it for all its entries (see services._take_chain)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "审计链头"


class AuditEntry(models.Model):
    """One state change: who, when, what, before → after. Append-only and hash-chained (§11)."""

    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人（记录时）", max_length=150)
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象编号", max_length=64)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    # the chain this entry extends (AuditHead.id); entries before the chains were split are all chain 1
    chain = models.PositiveSmallIntegerField("链号", default=1)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: SHA-256; 2: HMAC-SHA256 keyed with WUYE_AUDIT_KEY (see chain.py)
    version = models.PositiveSmallIntegerField("哈希版本", default=1)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not a business rule: an audit entry is written once and never changed.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are append-only")


class AuditCheckpoint(models.Model):
    """The chain head as published once a day (`tick`) on the public portal: anyone who saved it can later prove
    that the chain was not shortened or rewritten (`audit_verify --checkpoints`). Append-only like the entries."""

    date = models.DateField("日期", unique=True)
    count = models.BigIntegerField("记录条数")  # all chains together
    # the Merkle root over every chain's head (a single chain 1: its head hash, as before the split)
    hash = models.CharField("链头哈希", max_length=64)
    # every chain's head at that moment: [{"chain": 1, "count": …, "hash": …}, …]; empty on checkpoints from before
    # the split, which were the head of chain 1
    heads = models.JSONField("各链链头", default=list, blank=True)
    created_at = models.DateTimeField("公示时间")

    class Meta:
        verbose_name = "审计链公示点"
        verbose_name_plural = "审计链公示点"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} #{self.count} {self.hash[:12]}"
