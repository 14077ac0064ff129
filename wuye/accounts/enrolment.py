"""Binding an authenticator app needs more than the password: a one-time, expiring link the office head issues.

Without it, whoever learns a not-yet-enrolled bureau user's password could bind their own phone to the account.
The link is shown once to the office head (only its SHA-256 is stored), is for one user, works once, and expires
after `WUYE["ENROLMENT_LINK_HOURS"]`; issuing and using it are audited.
"""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q, QuerySet

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, SystemActor, actor_role, actor_user
from wuye.kernel.conf import county_setting

from .models import BUREAU_ROLES, EnrolmentLink, Role, User
from .services import second_factor_applies, totp_confirm

LINK_INVALID = "绑定链接无效、已使用或已过期，请向专班办公室负责人重新申请"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def enrolment_link_valid(raw: str) -> EnrolmentLink | None:
    return (
        EnrolmentLink.objects.select_related("user")
        .filter(token_hash=_digest(raw), used_at__isnull=True, expires_at__gt=now(), user__is_active=True)
        .first()
    )


def enrolment_link_pending(link_id: int | None, user: User) -> EnrolmentLink | None:
    """The link this session opened, if it is still good and is this user's."""
    if not link_id:
        return None
    return EnrolmentLink.objects.filter(
        pk=link_id, user=user, used_at__isnull=True, expires_at__gt=now()
    ).first()


def enrolment_candidates(head: User | None = None) -> QuerySet[User]:
    """Bureau users and admin users who have not bound an authenticator app yet (API service accounts excluded);
    of the office head's county when a head with a county is given."""
    qs = (
        User.objects.filter(Q(role__in=BUREAU_ROLES) | Q(is_staff=True) | Q(is_superuser=True))
        .filter(is_active=True, totp_secret="", api_token__isnull=True)
        .order_by("username")
    )
    if head is not None and head.county_id:
        qs = qs.filter(county_id=head.county_id)
    return qs


def enrolment_links_recent(limit: int = 30, head: User | None = None) -> QuerySet[EnrolmentLink]:
    qs = EnrolmentLink.objects.select_related("user", "created_by")
    if head is not None and head.county_id:
        qs = qs.filter(user__county_id=head.county_id)
    return qs.order_by("-created_at")[:limit]


@transaction.atomic
def enrolment_link_issue(*, actor: Actor, user_id: int) -> tuple[EnrolmentLink, str]:
    """Issue a link for one bureau user; any earlier unused link of theirs stops working. The office head issues
    them; `SystemActor("enrolment_link")` is the server's operator bootstrapping the first office head."""
    head = actor_user(actor)
    if actor != SystemActor("enrolment_link") and actor_role(actor) != Role.BUREAU_ADMIN:
        raise DomainError("只有专班办公室负责人可以签发绑定链接", field="user")
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not second_factor_applies(user):
        raise DomainError("只能为专班工作人员签发绑定链接", field="user")
    if head is not None and head.county_id and user.county_id != head.county_id:
        raise DomainError("只能为本县（区）专班工作人员签发绑定链接", field="user")
    if user.has_second_factor:
        raise DomainError("该账号已绑定动态口令；手机丢失时请先在管理后台重置", field="user")
    current = now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=current).update(
        expires_at=current
    )
    raw = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=_digest(raw),
        created_by=head,
        created_at=current,
        expires_at=current + dt.timedelta(hours=county_setting("ENROLMENT_LINK_HOURS")),
    )
    audit_record(
        actor=actor,
        action="user.enrolment_link_issue",
        obj=user,
        after={"link": link.pk, "expires_at": link.expires_at},
    )
    return link, raw


@transaction.atomic
def totp_enrol_with_link(*, actor: User, link_id: int, secret: str, code: str) -> None:
    """The user binds their app: the link must be theirs, unused and unexpired; it is used up on success."""
    link = EnrolmentLink.objects.select_for_update().filter(pk=link_id, user_id=actor.pk).first()
    if link is None or link.used_at is not None or link.expires_at <= now():
        raise DomainError(LINK_INVALID, field="code")
    totp_confirm(actor=actor, user=actor, secret=secret, code=code)
    link.used_at = now()
    link.save(update_fields=["used_at"])
    audit_record(actor=actor, action="user.enrolment_link_use", obj=actor, after={"link": link.pk})
