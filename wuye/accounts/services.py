"""Login codes for owners (phone + one-time code) and staff user creation."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.phones import PHONE_RE as PHONE_RE
from wuye.common.phones import normalise_phone as normalise_phone
from wuye.kernel.actors import SYSTEM_ROLE, Actor, actor_label, actor_role, actor_user, requires_actor
from wuye.kernel.conf import county_setting
from wuye.registry.models import County, Owner, default_city, default_county

from .models import BUREAU_ROLES, OneTimeCode, Role, SmsOutcome, User


def _hash_code(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@requires_actor
def otp_request(*, actor: Actor, phone: str, client: str) -> None:
    """Send a 6-digit code if the phone is an owner's. The caller learns nothing about the phone: a known and an
    unknown phone get the same answer (the code simply never arrives for an unknown one). Limited per client
    address and county-wide (`SMS_PER_CLIENT`, `SMS_GLOBAL`) and per phone (`OTP_RESEND_SECONDS`)."""
    from .smsguard import sms_count, sms_dispatch, sms_limits_check

    phone = normalise_phone(phone)
    sms_limits_check(phone=phone, client=client)
    current = now()
    with transaction.atomic():
        if not Owner.objects.filter(phone=phone).exists():
            sms_count(SmsOutcome.UNKNOWN_PHONE)
            return
        code = f"{secrets.randbelow(1_000_000):06d}"
        OneTimeCode.objects.create(
            phone=phone,
            code_hash=_hash_code(phone, code),
            created_at=current,
            expires_at=current + dt.timedelta(seconds=county_setting("OTP_TTL_SECONDS")),
        )
        sms_count(SmsOutcome.SENT)
        text = f"【{county_setting('BUREAU_NAME')}】您的登录验证码为 {code}，{county_setting('OTP_TTL_SECONDS') // 60} 分钟内有效。"
        sms_dispatch(phone, text)


OTP_WRONG = "验证码不正确、已过期或不存在，请核对或重新获取"


@requires_actor
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
        # one answer for a wrong, expired, used-up or never-sent code: it must not tell an owner's phone apart
        if otp is None or otp.expires_at < now() or otp.attempts >= county_setting("OTP_MAX_ATTEMPTS"):
            raise DomainError(OTP_WRONG, field="code")
        if not hmac.compare_digest(otp.code_hash, _hash_code(phone, code)):
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
            return_error = DomainError(OTP_WRONG, field="code")
        else:
            return_error = None
            otp.used_at = now()
            otp.save(update_fields=["used_at"])
    if return_error is not None:
        raise return_error
    return owner_user_for_phone(actor=actor, phone=phone)


@requires_actor
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


@requires_actor
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
    county_id: int | None = None,
    city_id: int | None = None,
) -> User:
    """A staff account. A bureau user belongs to a county (default: the office head's own, or the deployment's
    first county), a city viewer to a city (default: the city of that county); an office head creates accounts in
    their own county only."""
    if actor_role(actor) not in USER_ADMIN_ROLES:
        raise NotAllowed(f"{actor_label(actor)}无权创建用户")
    if role not in Role.values or role == Role.OWNER:
        raise DomainError("角色不正确", field="role")
    head = actor_user(actor)
    head_county_id = getattr(head, "county_id", None)
    if role in BUREAU_ROLES:
        county_id = county_id or head_county_id or default_county().pk
        if head_county_id and county_id != head_county_id:
            raise NotAllowed(f"{actor_label(actor)}只能为本县（区）创建专班账号")
    else:
        county_id = None
    if role == Role.CITY_VIEWER:
        if not city_id:
            home = County.objects.filter(pk=head_county_id).first() if head_county_id else default_county()
            city_id = (home.city_id if home else None) or default_city().pk
    else:
        city_id = None
    if head_county_id and role == Role.PROVINCE_VIEWER:
        raise NotAllowed(f"{actor_label(actor)}无权创建省住建厅账号")
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
        county_id=county_id,
        city_id=city_id,
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
        after={
            "username": username,
            "role": role,
            "company": company_id,
            "estate": estate_id,
            "county": county_id,
            "city": city_id,
        },
    )
    return user


# --- second factor for bureau staff (§13) ---------------------------------------------------------------------


def second_factor_applies(user: User) -> bool:
    """Bureau staff, and anyone who may enter the Django admin (a superuser made by `createsuperuser` has no role
    yet): the second factor is theirs to bind, and only with the office head's enrolment link."""
    return user.role in (Role.BUREAU_ADMIN, Role.TASK_FORCE) or user.is_staff or user.is_superuser


def second_factor_required(user: User) -> bool:
    return second_factor_applies(user) and bool(county_setting("REQUIRE_BUREAU_2FA"))


@requires_actor
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


@requires_actor
def totp_check(*, actor: Actor, user: User, code: str) -> None:
    """Accept a code once: a code already used (or an older one) is refused, so an overheard code is worthless.
    Wrong codes are counted per account (any session, any client): at `TOTP_MAX_FAILURES_ACCOUNT` in a row the
    account refuses every code for `TOTP_LOCKOUT_MINUTES`, even the right one."""
    error = _totp_check(user=user, code=code)
    if error is not None:
        raise error  # after the commit, so the failure count stays


@transaction.atomic
def _totp_check(*, user: User, code: str) -> DomainError | None:
    from . import totp

    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_secret:
        return DomainError("尚未启用动态口令", field="code")
    current = now()
    if user.totp_locked_until is not None and user.totp_locked_until > current:
        return DomainError(
            TOTP_LOCKED_MESSAGE.format(minutes=county_setting("TOTP_LOCKOUT_MINUTES")), field="code"
        )
    step = totp.matching_step(user.totp_secret, code)
    replayed = step is not None and user.totp_last_step is not None and step <= user.totp_last_step
    if step is None or replayed:
        user.totp_failures += 1
        if user.totp_failures >= county_setting("TOTP_MAX_FAILURES_ACCOUNT"):
            user.totp_failures, user.totp_locked_until = (
                0,
                current + dt.timedelta(minutes=county_setting("TOTP_LOCKOUT_MINUTES")),
            )
        user.save(update_fields=["totp_failures", "totp_locked_until"])
        if replayed:
            return DomainError("该动态口令已使用过，请等待下一个口令", field="code")
        return DomainError("动态口令不正确", field="code")
    user.totp_last_step, user.totp_failures, user.totp_locked_until = step, 0, None
    user.save(update_fields=["totp_last_step", "totp_failures", "totp_locked_until"])
    return None


TOTP_LOCKED_MESSAGE = "动态口令错误次数过多，账号已暂时锁定，请 {minutes} 分钟后再试，或联系专班办公室负责人"


@requires_actor
@transaction.atomic
def totp_reset(*, actor: Actor, user: User, reason: str) -> None:
    """The office head clears a lost phone's secret; the user enrols again at the next login."""
    if actor_role(actor) != Role.BUREAU_ADMIN:
        raise DomainError("只有专班办公室负责人可以重置动态口令", field="code")
    if not (reason or "").strip():
        raise DomainError("请填写重置原因", field="reason")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret, user.totp_last_step = "", None
    user.totp_failures, user.totp_locked_until = 0, None
    user.save(update_fields=["totp_secret", "totp_last_step", "totp_failures", "totp_locked_until"])
    audit_record(
        actor=actor,
        action="user.second_factor_reset",
        obj=user,
        after={"second_factor": False},
        reason=reason,
    )
