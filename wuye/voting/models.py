"""业主大会电子投票 (§8): assemblies, motions, the frozen electorate, ballots with receipts, objections."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .tally import ITEMS


class AssemblyStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已截止（待公示）"
    PUBLISHED = "published", "结果公示中"
    FINAL = "final", "公示期满"
    CANCELLED = "cancelled", "已取消"


# The state machine as data: an action may move an assembly only along these edges.
TRANSITIONS: dict[str, frozenset[str]] = {
    AssemblyStatus.DRAFT: frozenset({AssemblyStatus.OPEN, AssemblyStatus.CANCELLED}),
    AssemblyStatus.OPEN: frozenset({AssemblyStatus.CLOSED, AssemblyStatus.CANCELLED}),
    AssemblyStatus.CLOSED: frozenset({AssemblyStatus.PUBLISHED}),
    AssemblyStatus.PUBLISHED: frozenset({AssemblyStatus.FINAL}),
    AssemblyStatus.FINAL: frozenset(),
    AssemblyStatus.CANCELLED: frozenset(),
}
RESULT_STATES = frozenset({AssemblyStatus.CLOSED, AssemblyStatus.PUBLISHED, AssemblyStatus.FINAL})
PUBLIC_RESULT_STATES = frozenset({AssemblyStatus.PUBLISHED, AssemblyStatus.FINAL})
VISIBLE_TO_OWNERS = frozenset({AssemblyStatus.OPEN, *RESULT_STATES})


class Assembly(models.Model):
    class Convener(models.TextChoices):
        COMMITTEE = "committee", "业主委员会/物业管理委员会"
        TOWN = "town", "乡镇人民政府/街道办事处"

    estate = models.ForeignKey(
        "registry.Estate", on_delete=models.PROTECT, related_name="assemblies", verbose_name="小区"
    )
    title = models.CharField("表决名称", max_length=120)
    notice = models.TextField("表决公告")
    convener = models.CharField("召集人", max_length=12, choices=Convener.choices)
    vote_start = models.DateTimeField("投票开始时间")
    vote_end = models.DateTimeField("投票截止时间")
    status = models.CharField(
        "状态", max_length=12, choices=AssemblyStatus.choices, default=AssemblyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间")
    opened_at = models.DateTimeField("开始投票于", null=True, blank=True)
    closed_at = models.DateTimeField("截止计票于", null=True, blank=True)
    published_at = models.DateTimeField("公示于", null=True, blank=True)
    objection_end = models.DateField("公示期截止", null=True, blank=True)
    finalised_at = models.DateTimeField("公示期满于", null=True, blank=True)
    # Frozen when voting opens / closes.
    total_area = models.DecimalField(
        "总专有面积（㎡）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    total_persons = models.PositiveIntegerField("总人数", null=True, blank=True)
    electorate_digest = models.CharField("名册摘要（SHA-256）", max_length=64, blank=True)
    digest = models.CharField("选票摘要（SHA-256）", max_length=64, blank=True)
    result = models.JSONField("计票结果", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "业主大会表决"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(vote_end__gt=models.F("vote_start")), name="assembly_window"),
        ]
        indexes = [models.Index(fields=["estate", "status"], name="assembly_estate_status")]

    def __str__(self) -> str:
        return f"{self.estate.name} · {self.title}"


class Motion(models.Model):
    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="motions", verbose_name="表决"
    )
    code = models.CharField("编号", max_length=8)
    seq = models.PositiveSmallIntegerField("顺序")
    item = models.PositiveSmallIntegerField(
        "民法典第278条事项", choices=[(k, f"（{k}）{v}") for k, v in ITEMS.items()]
    )
    title = models.CharField("表决事项", max_length=200)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决事项"
        ordering = ["assembly_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="motion_unique_code"),
            models.CheckConstraint(condition=Q(item__gte=1, item__lte=9), name="motion_item_1_9"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MotionDocument(models.Model):
    motion = models.ForeignKey(
        Motion, on_delete=models.CASCADE, related_name="documents", verbose_name="表决事项"
    )
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to="voting/docs/%Y/%m/")
    content_type = models.CharField(max_length=60)
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "表决材料"
        ordering = ["id"]


class ElectorPerson(models.Model):
    """One person of the frozen electorate (R2): a unit, an owner's several units, or all developer-held units."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="persons", verbose_name="表决", db_index=False
    )  # led by the unique constraints
    key = models.CharField("投票人编号", max_length=20)
    area = models.DecimalField("专有面积合计（㎡）", max_digits=14, decimal_places=2)
    unit_count = models.PositiveIntegerField("房屋套数")
    units_label = models.TextField("房屋")
    is_developer = models.BooleanField("开发建设单位", default=False)
    can_vote_online = models.BooleanField("可在线投票", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决名册（投票人）"
        ordering = ["assembly_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "key"], name="elector_person_unique_key"),
            models.UniqueConstraint(
                fields=["assembly"], condition=Q(is_developer=True), name="elector_one_developer"
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="elector_person_area_positive"),
        ]


class ElectorUnit(models.Model):
    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="units", verbose_name="表决", db_index=False
    )  # led by the unique constraints
    person = models.ForeignKey(
        ElectorPerson, on_delete=models.CASCADE, related_name="units", verbose_name="投票人"
    )
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="房屋")
    label = models.CharField("房号", max_length=70)
    area = models.DecimalField("专有面积（㎡）", max_digits=10, decimal_places=2)
    developer_held = models.BooleanField("开发建设单位未售出或未交付", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "表决名册（房屋）"
        ordering = ["assembly_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "unit"], name="elector_unit_unique"),
            models.UniqueConstraint(fields=["assembly", "label"], name="elector_unit_unique_label"),
        ]


class ElectorVoter(models.Model):
    """Which registry owners may vote online for which person (sole owners and designated co-owner voters)."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="voters", verbose_name="表决", db_index=False
    )  # led by the unique constraints
    person = models.ForeignKey(
        ElectorPerson, on_delete=models.CASCADE, related_name="voters", verbose_name="投票人"
    )
    owner = models.ForeignKey(
        "registry.Owner", on_delete=models.PROTECT, related_name="+", verbose_name="业主"
    )
    may_vote = models.BooleanField("可投票", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决名册（业主）"
        constraints = [
            models.UniqueConstraint(fields=["assembly", "owner"], name="elector_voter_unique_owner")
        ]


class Ballot(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "电子投票"
        PAPER = "paper", "书面投票"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="ballots", verbose_name="表决", db_index=False
    )  # led by the unique constraint
    person = models.ForeignKey(
        ElectorPerson, on_delete=models.PROTECT, related_name="ballots", verbose_name="投票人"
    )
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    choices = models.JSONField(
        "选择"
    )  # {motion code: "agree" | "disagree" | "abstain"}; absent = not taking part
    receipt = models.CharField("回执码", max_length=16, unique=True)
    cast_at = models.DateTimeField("投票时间")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    voter_owner = models.ForeignKey(
        "registry.Owner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="投票业主",
    )
    scan = models.FileField("书面选票扫描件", upload_to="voting/paper/%Y/%m/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "选票"
        ordering = ["assembly_id", "receipt"]
        constraints = [
            # One ballot per person and assembly, whatever the channel: a second request (even a simultaneous
            # one, or a paper ballot for someone who voted online) fails here.
            models.UniqueConstraint(fields=["assembly", "person"], name="ballot_one_per_person"),
            # A paper ballot carries its scan; an online ballot names the owner who cast it and has no scan.
            models.CheckConstraint(
                condition=(Q(channel="paper") & ~Q(scan=""))
                | (Q(channel="online") & Q(voter_owner__isnull=False) & Q(scan="")),
                name="ballot_channel_evidence",
            ),
        ]


class Objection(models.Model):
    """An owner's objection during the result publication period (询异公示); the committee must answer."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="objections", verbose_name="表决"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
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
        ordering = ["raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="objection_answer_text"
            ),
        ]
