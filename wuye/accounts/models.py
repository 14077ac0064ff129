"""Users carry one role (§1); scoping follows from the role and the company, estate or owner it points at."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "专班办公室负责人"
    TASK_FORCE = "task_force", "专班成员"
    CITY_VIEWER = "city_viewer", "市住建局（只读）"
    COMPANY_STAFF = "company_staff", "物业企业工作人员"
    COMMITTEE_MEMBER = "committee_member", "业委会/物管会成员"
    OWNER = "owner", "业主"


BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE})
COUNTY_READ_ROLES = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.CITY_VIEWER})
STAFF_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.CITY_VIEWER, Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER}
)


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
