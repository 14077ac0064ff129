"""Login codes for owners (phone + one-time code) and staff user creation."""

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError, NotAllowed
from wuye.kernel.actors import SYSTEM_ROLE, Actor, actor_label, actor_role
from wuye.kernel.conf import county_setting
from wuye.registry.models import Owner

from .models import OneTimeCode, Role, User
from .sms import sms_send

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(phone: str, *, field: str = "phone") -> str:
    value = (phone or "").strip().replace(" ", "").replace("-", "")
    value = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    value = value.removeprefix("+86")
    if not PHONE_RE.match(value):
        raise DomainError("请输入 11 位手机号码", field=field)
    return value


def _hash_code(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def otp_request(*, actor: Actor, phone: str) -> None:
    """Send a 6-digit code to an owner's registered phone. Refuses unknown phones and rapid resends."""
    phone = normalise_phone(phone)
    if not Owner.objects.filter(phone=phone).exists():
        raise DomainError("该手机号未登记为本县业主，请联系小区业委会或物业核对档案", field="phone")
    current = now()
    recent = OneTimeCode.objects.filter(phone=phone).order_by("-created_at").first()
    if recent and (current - recent.created_at).total_seconds() < county_setting("OTP_RESEND_SECONDS"):
        raise DomainError(f"验证码已发送，请 {county_setting('OTP_RESEND_SECONDS')} 秒后再试", field="phone")
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.create(
            phone=phone,
            code_hash=_hash_code(phone, code),
            created_at=current,
            expires_at=current + dt.timedelta(seconds=county_setting("OTP_TTL_SECONDS")),
        )
        text = f"【{county_setting('BUREAU_NAME')}】您的登录验证码为 {code}，{county_setting('OTP_TTL_SECONDS') // 60} 分钟内有效。"
        transaction.on_commit(lambda: sms_send(phone, text))


def otp_verify(*, actor: Actor, phone: str, code: str) -> User:
    """Check the newest unused code; on success return the owner's user (created on first login)."""
    phone = normalise_phone(phone)
    code = (code or "").strip()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.expires_at < now():
            raise DomainError("验证码已过期或不存在，请重新获取", field="code")
        if otp.attempts >= county_setting("OTP_MAX_ATTEMPTS"):
            raise DomainError("验证码错误次数过多，请重新获取", field="code")
        if not hmac.compare_digest(otp.code_hash, _hash_code(phone, code)):
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
            return_error = DomainError("验证码不正确，请核对短信中的 6 位数字", field="code")
        else:
            return_error = None
            otp.used_at = now()
            otp.save(update_fields=["used_at"])
    if return_error is not None:
        raise return_error
    return owner_user_for_phone(actor=actor, phone=phone)


@transaction.atomic
def owner_user_for_phone(*, actor: Actor, phone: str) -> User:
    """The owner's account, created at their first login (actor: the public logging in, or the demo)."""
    owner = Owner.objects.filter(phone=phone).first()
    if owner is None:
        raise DomainError("该手机号未登记为本县业主", field="phone")
    user = User.objects.filter(owner=owner).first()
    if user is not None:
        return user
    user = User(username=f"owner-{phone}", role=Role.OWNER, owner=owner, phone=phone, display_name=owner.name)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same owner's first login from two devices at once: both get the one account
        return User.objects.get(owner=owner)
    audit_record(actor=actor, action="user.create", obj=user, after={"role": user.role, "owner": owner.pk})
    return user


# Who creates staff accounts: the office head (the admin), and the system building the demo county.
USER_ADMIN_ROLES = frozenset({Role.BUREAU_ADMIN, SYSTEM_ROLE})


@transaction.atomic
def staff_user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    role: str,
    display_name: str = "",
    company_id: int | None = None,
    estate_id: int | None = None,
    phone: str = "",
) -> User:
    if actor_role(actor) not in USER_ADMIN_ROLES:
        raise NotAllowed(f"{actor_label(actor)}无权创建用户")
    if role not in Role.values or role == Role.OWNER:
        raise DomainError("角色不正确", field="role")
    if role == Role.COMPANY_STAFF and not company_id:
        raise DomainError("物业企业工作人员必须指定所属企业", field="company")
    if role == Role.COMMITTEE_MEMBER and not estate_id:
        raise DomainError("业委会成员必须指定小区", field="estate")
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名“{username}”已存在", field="username")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        company_id=company_id,
        estate_id=estate_id,
        phone=phone,
        is_staff=role == Role.BUREAU_ADMIN,
        is_superuser=role == Role.BUREAU_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"username": username, "role": role, "company": company_id, "estate": estate_id},
    )
    return user


# --- second factor for bureau staff (§13) ---------------------------------------------------------------------


def second_factor_required(user: User) -> bool:
    return user.role in (Role.BUREAU_ADMIN, Role.TASK_FORCE) and county_setting("REQUIRE_BUREAU_2FA")


@transaction.atomic
def totp_confirm(*, actor: Actor, user: User, secret: str, code: str) -> None:
    """Turn the second factor on once the user proves their app shows the right code."""
    from . import totp

    user = User.objects.select_for_update().get(pk=user.pk)
    step = totp.matching_step(secret, code)
    if step is None:
        raise DomainError("动态口令不正确，请核对手机上的 6 位数字（注意时间是否准确）", field="code")
    user.totp_secret, user.totp_last_step = secret, step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    audit_record(actor=actor, action="user.second_factor_on", obj=user, after={"second_factor": True})


@transaction.atomic
def totp_check(*, actor: Actor, user: User, code: str) -> None:
    """Accept a code once: a code already used (or an older one) is refused, so an overheard code is worthless."""
    from . import totp

    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_secret:
        raise DomainError("尚未启用动态口令", field="code")
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        raise DomainError("动态口令不正确，请核对手机上的 6 位数字", field="code")
    if user.totp_last_step is not None and step <= user.totp_last_step:
        raise DomainError("该动态口令已使用过，请等待下一个口令", field="code")
    user.totp_last_step = step
    user.save(update_fields=["totp_last_step"])


@transaction.atomic
def totp_reset(*, actor: Actor, user: User, reason: str) -> None:
    """The office head clears a lost phone's secret; the user enrols again at the next login."""
    if actor_role(actor) != Role.BUREAU_ADMIN:
        raise DomainError("只有专班办公室负责人可以重置动态口令", field="code")
    if not (reason or "").strip():
        raise DomainError("请填写重置原因", field="reason")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret, user.totp_last_step = "", None
    user.save(update_fields=["totp_secret", "totp_last_step"])
    audit_record(
        actor=actor,
        action="user.second_factor_reset",
        obj=user,
        after={"second_factor": False},
        reason=reason,
    )
