"""Who did it: every service takes a required `actor: Actor`.

An actor is one of
- a logged-in user (`wuye.accounts.models.User`): their role decides what they may do;
- the system running a named job (`SystemActor("tick")`): the scheduler, the lead worker, the revenue checks…;
- the public through a channel (`PublicActor("qr")`): an anonymous resident using 扫码即办, 12345, Open311, e-mail.

System and public actors have the pseudo-roles `SYSTEM_ROLE` and `PUBLIC_ROLE`; a move allows them only when it
declares them, exactly as it declares user roles. Nobody is an actor by being `None`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeAlias, TypeVar

if TYPE_CHECKING:
    from wuye.accounts.models import User

SYSTEM_ROLE = "system"
PUBLIC_ROLE = "public"

# the jobs that act as the system, with the words the audit trail and the case timeline show
SYSTEM_JOBS: dict[str, str] = {
    "tick": "逾期检查",
    "revenue_checks": "公共收益检查",
    "duties_checks": "履约台账检查",
    "lead_worker": "分拣任务",
    "triage": "智能分拣",
    "import_12345": "12345工单导入",
    "import_email": "邮件导入",
    "import_registry": "基础档案导入",
    "demo": "演示数据",
    "revisit_sample": "回头看抽样",
    "migration": "数据迁移",
    "backup": "备份恢复",
    "notifications": "消息通知",
    "contract_check": "合同到期检查",
    "enrolment_link": "命令行签发动态口令绑定链接",
    "credit_collect": "信用事件汇集",
    "assets_checks": "电梯、移交与维修资金检查",
    "import_elevators": "电梯台账导入",
    "monthly_reports": "月报提醒与逾期登记",
    "daily_summary": "每日统计",
}

# the channels through which the public acts without an account
PUBLIC_CHANNELS: dict[str, str] = {
    "qr": "扫码即办",
    "web": "网站",
    "hotline_12345": "12345热线",
    "open311": "Open311",
    "email": "电子邮件",
    "phone": "投诉电话",
    "track": "进度查询",
}


@dataclass(frozen=True)
class SystemActor:
    """The system running a named job (a key of `SYSTEM_JOBS`)."""

    job: str

    def __post_init__(self) -> None:
        if self.job not in SYSTEM_JOBS:
            raise ValueError(f"unknown system job {self.job!r}: declare it in wuye.kernel.actors.SYSTEM_JOBS")

    role = SYSTEM_ROLE
    pk = None
    is_authenticated = False

    @property
    def audit_label(self) -> str:
        return f"系统（{SYSTEM_JOBS[self.job]}）"

    def __str__(self) -> str:
        return self.audit_label


@dataclass(frozen=True)
class PublicActor:
    """A member of the public acting through a channel (a key of `PUBLIC_CHANNELS`)."""

    channel: str

    def __post_init__(self) -> None:
        if self.channel not in PUBLIC_CHANNELS:
            raise ValueError(
                f"unknown public channel {self.channel!r}: declare it in wuye.kernel.actors.PUBLIC_CHANNELS"
            )

    role = PUBLIC_ROLE
    pk = None
    is_authenticated = False

    @property
    def audit_label(self) -> str:
        return f"群众（{PUBLIC_CHANNELS[self.channel]}）"

    def __str__(self) -> str:
        return self.audit_label


Actor: TypeAlias = "User | SystemActor | PublicActor"


P = ParamSpec("P")
R = TypeVar("R")
MISSING_ACTOR = "actor is required: pass a User, SystemActor(job) or PublicActor(channel)"


def is_actor(value: object) -> bool:
    """A system or public actor, or a saved user with a role (the kernel does not import the accounts app)."""
    if isinstance(value, SystemActor | PublicActor):
        return True
    return getattr(value, "pk", None) is not None and isinstance(getattr(value, "role", None), str)


def ensure_actor(value: object) -> None:
    """Refuse a missing or untyped actor: a programming error, never a silent pass."""
    if not is_actor(value):
        raise TypeError(f"{MISSING_ACTOR} (got {type(value).__name__})")


def requires_actor(fn: Callable[P, R]) -> Callable[P, R]:
    """For services: check the `actor` keyword before anything runs (no transaction, no query, no write)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ensure_actor(kwargs.get("actor"))
        return fn(*args, **kwargs)

    return wrapper


def actor_role(actor: Actor) -> str:
    """The role a permission check compares with a move's declared roles."""
    ensure_actor(actor)
    return str(actor.role)


def actor_label(actor: Actor) -> str:
    """What the audit trail and the case timeline say for this actor."""
    ensure_actor(actor)
    label = actor.audit_label
    return str(label() if callable(label) else label)


def actor_user(actor: Actor) -> User | None:
    """The user behind an actor, or None for the system and the public (for foreign keys such as created_by)."""
    ensure_actor(actor)
    return None if isinstance(actor, SystemActor | PublicActor) else actor
