"""The ledger's service kernel: permission checks, input checks, the timeline event with its audit entry.

Moves are checked against `workflow.MOVES`; a refused move raises a Chinese `DomainError` and changes nothing.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from wuye.accounts.models import Role, User
from wuye.audit.services import audit_record
from wuye.common.dates import cn_date, now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.uploads import CheckedFile, check_upload
from wuye.kernel.actors import Actor, actor_label, actor_role, actor_user, ensure_actor, requires_actor
from wuye.registry.selectors import bureau_acts_on_estate, company_serves_estate

from .. import workflow
from ..models import Case, CaseAttachment, CaseEvent
from .locks import lock_case

MAX_ATTACHMENTS = 9
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def who(actor: Actor) -> str:
    """The actor in a refusal: the user's role, or the system job / public channel."""
    role = actor_role(actor)
    return Role(role).label if role in Role.values else actor_label(actor)


def _company_serves(actor: Actor, case: Case) -> bool:
    """A company user acts only on its own company's cases at estates it still serves under a current contract."""
    company_id = getattr(actor_user(actor), "company_id", None)
    if not company_id or case.company_id != company_id:
        return False
    return company_serves_estate(company_id, case.estate_id)


def acting_user(actor: Actor, what: str) -> User:
    """The user behind the actor, for a row that names a person (a request, a decision); the system and the
    public have none, so they may not do this."""
    user = actor_user(actor)
    if user is None:
        raise NotAllowed(f"{actor_label(actor)}不能{what}", field="role")
    return user


def check_role(actor: Actor, case: Case | None, roles: frozenset[str], what: str) -> None:
    """The actor's role is one of `roles` (system and public actors only where declared); a company user must
    serve the case's estate."""
    role = actor_role(actor)
    if role not in roles:
        raise NotAllowed(f"{who(actor)}不能{what}", field="role")
    if role == Role.COMPANY_STAFF and case is not None and not _company_serves(actor, case):
        raise NotAllowed(f"只能对本企业现服务小区的事项{what}", field="role")
    if case is not None and not bureau_acts_on_estate(actor, case.estate_id):
        raise NotAllowed(f"只能对本县（区）的事项{what}", field="role")


def clean_text(
    value: str | None, *, field: str, label: str, required: bool = True, max_len: int = 5000
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}过长（最多 {max_len} 字）", field=field)
    return value


def future_date(value: Any, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError(f"请填写{label}", field=field)
    if value <= today():
        raise DomainError(f"{label}必须晚于今天（{cn_date(today())}）", field=field)
    return value


def past_date(value: Any, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError(f"请填写{label}", field=field)
    if value > today():
        raise DomainError(f"{label}不能晚于今天", field=field)
    return value


def check_files(
    files: Sequence["UploadedFile[bytes]"] | None, *, field: str = "attachments", label: str = "附件"
) -> list[CheckedFile]:
    """Check every upload by content before anything is written (images and PDF, size-limited)."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(f"{label}最多上传 {MAX_ATTACHMENTS} 个文件", field=field)
    return [check_upload(f, field=field, allow_pdf=True, max_bytes=MAX_ATTACHMENT_BYTES) for f in files]


def snap(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "target": case.target,
        "measures": case.measures,
        "responsible": case.responsible,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "progress": case.progress,
        "closed_reason": case.closed_reason,
        "report_count": case.report_count,
        "merged_into": case.merged_into_id,
    }


@requires_actor
def record_event(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    title: str,
    text: str = "",
    before: dict[str, Any] | None = None,
    public: bool = False,
    public_text: str = "",
    from_status: str = "",
    data: dict[str, Any] | None = None,
    files: Sequence[CheckedFile] = (),
    reason: str = "",
) -> CaseEvent:
    """The timeline entry, its attachments and the audit entry of one operation (inside its transaction)."""
    stamp = now()
    entry = CaseEvent.objects.create(
        case=case,
        at=stamp,
        kind=kind,
        title=title,
        text=text,
        public=public,
        public_text=public_text,
        from_status=from_status,
        to_status=case.status if from_status else "",
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        data=data or {},
    )
    names = []
    for f in files:
        att = CaseAttachment(
            case=case,
            event=entry,
            original_name=f.name[:200],
            content_type=f.content_type,
            size=len(f.data),
            uploaded_by=entry.actor,
            created_at=stamp,
        )
        att.file.save(f.name[-80:], ContentFile(f.data), save=False)
        att.save()
        names.append(att.original_name)
    after = snap(case)
    if data:
        after["data"] = data
    if names:
        after["attachments"] = names
    audit_record(
        actor=actor, action=f"case.{kind}", obj=case, before=before, after=after, reason=reason or text
    )
    return entry


def precheck(actor: Actor, name: str) -> None:
    """The role part of a move's permission, checked before any input so a wrong role always hears "not allowed"."""
    ensure_actor(actor)
    move = workflow.MOVES[name]
    check_role(actor, None, move.roles, f"“{move.label}”")


def move(case: Case, name: str, actor: Actor, roles: frozenset[str] | None = None) -> tuple[Case, str | None]:
    """Lock the case and check the move (`roles` overrides the move's roles). Returns (locked case, previous
    status) or (case, None) when the case is already where the move leads (a repeated click changes nothing)."""
    ensure_actor(actor)
    step = workflow.MOVES[name]
    locked = lock_case(case)
    check_role(actor, locked, roles or step.roles, f"“{step.label}”")
    if locked.status not in step.moves:
        if locked.status in step.targets:
            return locked, None
        raise InvalidTransition(
            f"事项 {locked.number} 当前状态为“{locked.get_status_display()}”，不能“{step.label}”",
            field="status",
        )
    return locked, locked.status


def save(case: Case, *fields: str) -> None:
    case.updated_at = now()
    case.save(update_fields=[*fields, "updated_at"])
