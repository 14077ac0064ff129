"""Users carry one role (§1); scoping follows from the role and the company, estate or owner it points at."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from wuye.kernel.roles import BUREAU_ROLES as BUREAU_ROLES
from wuye.kernel.roles import COUNTY_READ_ROLES as COUNTY_READ_ROLES
from wuye.kernel.roles import STAFF_ROLES as STAFF_ROLES
from wuye.kernel.roles import VIEWER_ROLES as VIEWER_ROLES
from wuye.kernel.roles import Role as Role


# the role vocabulary is the kernel's (every app may name a role); re-exported here for the apps above accounts
class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    company = models.ForeignKey(
        "registry.PropertyCompany",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="所属物业企业",
    )
    estate = models.ForeignKey(
        "registry.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_users",
        verbose_name="所属小区（业委会）",
    )
    county = models.ForeignKey(
        "registry.County",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="所属县（区）（专班）",
    )
    city = models.ForeignKey(
        "registry.City",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="viewers",
        verbose_name="所属市（市住建局）",
    )
    owner = models.OneToOneField(
        "registry.Owner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
        verbose_name="对应业主",
    )
    # second factor (§13): a TOTP secret once confirmed; the last accepted time step blocks replay
    totp_secret = models.CharField("动态口令密钥", max_length=64, blank=True)
    totp_last_step = models.BigIntegerField("上次使用的口令时段", null=True, blank=True)
    # wrong TOTP codes in a row for this account (any session); at the limit the account waits until `locked_until`
    totp_failures = models.PositiveSmallIntegerField("动态口令连续错误次数", default=0)
    totp_locked_until = models.DateTimeField("动态口令锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="company_staff") | Q(company__isnull=False),
                name="user_company_staff_has_company",
            ),
            models.CheckConstraint(
                condition=~Q(role="committee_member") | Q(estate__isnull=False),
                name="user_committee_has_estate",
            ),
            models.CheckConstraint(
                condition=~Q(role="owner") | Q(owner__isnull=False), name="user_owner_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["bureau_admin", "task_force"]) | Q(county__isnull=False),
                name="user_bureau_has_county",
            ),
            models.CheckConstraint(
                condition=~Q(role="city_viewer") | Q(city__isnull=False), name="user_city_viewer_has_city"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def audit_label(self) -> str:
        return f"{self.display_name or self.username}（{self.get_role_display()}）"

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU_ROLES

    @property
    def reads_county(self) -> bool:
        return self.role in COUNTY_READ_ROLES

    @property
    def is_viewer(self) -> bool:
        """A city or province viewer: reads, never writes."""
        return self.role in VIEWER_ROLES


class OneTimeCode(models.Model):
    """A short-lived SMS login code; only its hash is stored."""

    phone = models.CharField("手机号", max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "-created_at"], name="otp_phone_recent")]


# --- machines, enrolment and SMS accounting (trust issue #12) --------------------------------------------------

# The API's endpoint groups: the first segment under /api/v1/ (see wuye/api_urls.py).
API_GROUPS: dict[str, str] = {
    "registry": "基础档案",
    "cases": "案件台账",
    "intake": "线索受理",
    "triage": "智能分拣",
    "revenue": "公共收益",
    "voting": "业主表决",
}


class ApiToken(models.Model):
    """A machine client's credential (the 12345 platform, the city's systems). Only the SHA-256 of the token is
    stored: the office head sees the token once, when it is made. The token acts as its own service account
    (`user`, a role chosen at creation), so every API permission and scoping selector applies unchanged."""

    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("令牌前缀", max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_token", verbose_name="服务账号"
    )
    read_only = models.BooleanField("只读", default=True)
    groups = models.JSONField("允许的接口组", default=list, blank=True)  # [] = every group
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, *, group: str, write: bool) -> bool:
        if write and self.read_only:
            return False
        return not self.groups or group in self.groups

    def scope_label(self) -> str:
        groups = "、".join(API_GROUPS.get(g, g) for g in self.groups) if self.groups else "全部接口"
        return f"{'只读' if self.read_only else '读写'} · {groups}"


class EnrolmentLink(models.Model):
    """A one-time, expiring link with which a bureau user binds an authenticator app (issued by the office head)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolment_links", verbose_name="用户"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # None: issued from the command line (`manage.py enrolment_link`) by whoever runs the server
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    created_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令绑定链接"
        ordering = ["-created_at"]


class SmsOutcome(models.TextChoices):
    SENT = "sent", "已发送"
    UNKNOWN_PHONE = "unknown_phone", "未登记号码（未发送）"
    LIMITED_PHONE = "limited_phone", "同一号码过频（未发送）"
    LIMITED_CLIENT = "limited_client", "同一来源过频（未发送）"
    LIMITED_GLOBAL = "limited_global", "全局限额（未发送）"
    GATEWAY_ERROR = "gateway_error", "短信网关出错"


class SmsDailyCount(models.Model):
    """How many login-code requests ended in each outcome on each day (for the office head)."""

    day = models.DateField("日期")
    outcome = models.CharField("结果", max_length=20, choices=SmsOutcome.choices)
    count = models.PositiveIntegerField("次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "登录短信统计"
        constraints = [models.UniqueConstraint(fields=["day", "outcome"], name="sms_count_day_outcome")]
