"""Per-client API tokens for machines (the 12345 platform, the city's systems), managed by the office head.

The token is shown once, at creation; the database keeps its SHA-256 (a token has 256 bits of entropy, so a fast
hash is the right one: checking a bad token costs one digest and one indexed lookup, never the password hasher).
"""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, actor_role, actor_user
from wuye.registry.models import County, default_city, default_county

from .models import API_GROUPS, BUREAU_ROLES, ApiToken, Role, User

TOKEN_PREFIX = "wuye_"
# the rights a machine may act with: its token's service account has one of these roles
TOKEN_ROLES: dict[str, str] = {
    Role.TASK_FORCE: "专班成员权限（可读写案件等）",
    Role.CITY_VIEWER: "市住建局只读权限（汇总，不含个人信息）",
}
TOUCH_EVERY = dt.timedelta(seconds=60)  # `last_used_at` is written at most once a minute per token


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_for(raw: str) -> ApiToken | None:
    """The active token with this value, with its service account; None for anything else."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_touch(token: ApiToken) -> None:
    current = now()
    if token.last_used_at is None or current - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=current)
        token.last_used_at = current


def api_tokens_list(head: User | None = None) -> QuerySet[ApiToken]:
    """The tokens (made in the office head's county when a head with a county is given)."""
    qs = ApiToken.objects.select_related("user", "created_by")
    if head is not None and head.county_id:
        qs = qs.filter(created_by__county_id=head.county_id)
    return qs.order_by("revoked_at", "-created_at")


def _require_office_head(actor: Actor, what: str) -> User:
    user = actor_user(actor)
    if user is None or actor_role(actor) != Role.BUREAU_ADMIN:
        raise DomainError(f"只有专班办公室负责人可以{what}", field="name")
    return user


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, role: str, read_only: bool, groups: list[str]
) -> tuple[ApiToken, str]:
    """Make a token and its service account; returns the token row and the token itself (shown once)."""
    head = _require_office_head(actor, "创建接口令牌")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写令牌名称（如“12345平台”）", field="name")
    if role not in TOKEN_ROLES:
        raise DomainError("权限角色不正确", field="role")
    unknown = sorted(set(groups) - set(API_GROUPS))
    if unknown:
        raise DomainError(f"接口组不正确：{'、'.join(unknown)}", field="groups")
    if ApiToken.objects.filter(name=name, revoked_at__isnull=True).exists():
        raise DomainError(f"已有名为“{name}”的有效令牌", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # the service account reads the office head's county (a city role: the city of that county)
    county = (
        County.objects.filter(pk=head.county_id).first() if head.county_id else None
    ) or default_county()
    user = User(
        username=f"api-{secrets.token_hex(6)}",
        role=role,
        display_name=f"接口：{name}",
        county_id=county.pk if role in BUREAU_ROLES else None,
        city_id=(county.city_id or default_city().pk) if role == Role.CITY_VIEWER else None,
    )
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        name=name,
        prefix=raw[:12],
        token_hash=token_digest(raw),
        user=user,
        read_only=read_only,
        groups=sorted(set(groups)),
        created_by=head,
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={
            "name": name,
            "prefix": token.prefix,
            "role": role,
            "read_only": read_only,
            "groups": token.groups,
            "user": user.pk,
        },
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke at once: the next request with the token is refused. Revoking twice changes nothing."""
    _require_office_head(actor, "吊销接口令牌")
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    if token.revoked_at is not None:
        return token
    token.revoked_at = now()
    token.save(update_fields=["revoked_at"])
    User.objects.filter(pk=token.user_id).update(is_active=False)
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at, "prefix": token.prefix},
    )
    return token
