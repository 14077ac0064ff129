"""Who may run an assembly (its committee, or the bureau as the town's convener), its row locks, and its status
moves along the declared transitions with their audit entry."""

import json
from typing import Any

from django.db import connection

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.common.errors import InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, actor_role
from wuye.registry.selectors import bureau_acts_on_estate

from .models import (
    TRANSITIONS,
    Assembly,
    AssemblyStatus,
    Motion,
)

ASSEMBLY_FIELDS = ("status", "opened_at", "closed_at", "published_at", "objection_end", "finalised_at")


def can_manage(actor: Actor, estate_id: int) -> bool:
    """The committee of the estate, or the bureau / task force acting as the town office convener."""
    role = actor_role(actor)
    if role in BUREAU_ROLES:
        return bureau_acts_on_estate(actor, estate_id)  # their own county only
    return role == Role.COMMITTEE_MEMBER and getattr(actor, "estate_id", None) == estate_id


def _require_manager(actor: Actor, estate_id: int) -> None:
    if not can_manage(actor, estate_id):
        raise NotAllowed("只有本小区业委会（物管会）或县专班（代乡镇召集）可以进行此操作")


def _lock(assembly: Assembly) -> Assembly:
    return Assembly.objects.select_for_update().select_related("estate").get(pk=assembly.pk)


def _lock_shared(assembly: Assembly) -> tuple[Assembly, list[tuple[str, str]]]:
    """Ballots take a shared lock on the assembly: they run side by side, while closing (an exclusive lock) waits
    for those in flight and every later ballot sees the assembly closed. SQLite serialises writers anyway.

    Returns the assembly with its motions as (code, title) in order: on PostgreSQL read in the same statement as
    the lock (a ballot's hot path counts round trips)."""
    if connection.vendor == "postgresql":
        table, motions = Assembly._meta.db_table, Motion._meta.db_table
        locked = Assembly.objects.raw(
            f'SELECT a.*, (SELECT json_agg(json_build_array(m.code, m.title) ORDER BY m.seq) FROM "{motions}" m '
            f'WHERE m.assembly_id = a.id)::text AS motions_json FROM "{table}" a WHERE a.id = %s FOR SHARE OF a',
            [assembly.pk],
        )[0]
        rows = json.loads(getattr(locked, "motions_json", None) or "[]")
        return locked, [(code, title) for code, title in rows]
    locked = Assembly.objects.get(pk=assembly.pk)
    return locked, list(locked.motions.order_by("seq").values_list("code", "title"))


def _check_move(assembly: Assembly, to: str) -> None:
    if to not in TRANSITIONS[assembly.status]:
        raise InvalidTransition(
            f"表决当前状态为“{assembly.get_status_display()}”，不能变为“{AssemblyStatus(to).label}”",
            field="status",
        )


def _move(
    *, actor: Actor, assembly: Assembly, to: str, fields: dict[str, Any], action: str, reason: str = ""
) -> None:
    _check_move(assembly, to)
    before = {f: getattr(assembly, f) for f in ASSEMBLY_FIELDS}
    assembly.status = to
    for name, value in fields.items():
        setattr(assembly, name, value)
    assembly.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        action=action,
        obj=assembly,
        before=before,
        after={f: getattr(assembly, f) for f in ASSEMBLY_FIELDS},
        reason=reason,
    )
