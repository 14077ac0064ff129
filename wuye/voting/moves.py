"""Who may run an assembly (its committee, or the bureau as the town's convener), its row locks, and its status
moves along the declared transitions with their audit entry."""

import json
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.common.errors import InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, actor_role

from .models import (
    TRANSITIONS,
    Assembly,
    AssemblyStatus,
    ElectorVoter,
    Motion,
)

ASSEMBLY_FIELDS = ("status", "opened_at", "closed_at", "published_at", "objection_end", "finalised_at")


def can_manage(actor: Actor, estate_id: int) -> bool:
    """The committee of the estate, or the bureau / task force acting as the town office convener."""
    role = actor_role(actor)
    if role in BUREAU_ROLES:
        return True
    return role == Role.COMMITTEE_MEMBER and getattr(actor, "estate_id", None) == estate_id


def _require_manager(actor: Actor, estate_id: int) -> None:
    if not can_manage(actor, estate_id):
        raise NotAllowed("只有本小区业委会（物管会）或县专班（代乡镇召集）可以进行此操作")


# the first key of the two-key advisory locks taken on assemblies ("WV"; the audit chains use "WY"), the second
# key is the assembly's id
LOCK_SPACE = 0x5756


def _lock(assembly: Assembly) -> Assembly:
    """The assembly for a status move, exclusive: on PostgreSQL its advisory lock first (which waits for every
    ballot in flight, see `hold_shared`), then its row `FOR UPDATE` (re-read after the wait, so the move sees
    every committed ballot and change)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, assembly.pk])
    return Assembly.objects.select_for_update().select_related("estate").get(pk=assembly.pk)


def hold_shared(assembly_pk: int, query: QuerySet[ElectorVoter]) -> QuerySet[ElectorVoter]:
    """`query` taking the assembly's shared advisory lock as it runs (PostgreSQL; SQLite serialises writers and
    gets `query` as it is).

    Ballots take this shared lock: they run side by side, while a status move (`_lock`, exclusive) waits for
    those in flight, and a ballot arriving during a move waits for it. A row lock (`FOR SHARE`) would do the same
    but writes to the assembly's row for every ballot (a multixact listing every concurrent ballot); the advisory
    lock lives in memory only. The lock is taken by the statement that reads the voter, so a ballot still costs no
    extra round trip; the assembly must be read by a *later* statement (in READ COMMITTED a statement's snapshot
    is taken before it waits, so only a later one sees a move committed meanwhile). The query must return a row
    for the lock to be taken: without one the caller refuses the ballot anyway."""
    if connection.vendor != "postgresql":
        return query
    return query.annotate(
        _assembly_lock=RawSQL(
            "pg_advisory_xact_lock_shared(%s, %s)::text",
            (LOCK_SPACE, assembly_pk),
            output_field=models.TextField(),
        )
    )


def _read_open(assembly: Assembly) -> tuple[Assembly, list[tuple[str, str]]]:
    """The assembly (read after its shared lock is held, see `hold_shared`) with its motions as (code, title) in
    order: on PostgreSQL in one statement (a ballot's hot path counts round trips)."""
    if connection.vendor == "postgresql":
        table, motions = Assembly._meta.db_table, Motion._meta.db_table
        fresh = Assembly.objects.raw(
            f'SELECT a.*, (SELECT json_agg(json_build_array(m.code, m.title) ORDER BY m.seq) FROM "{motions}" m '
            f'WHERE m.assembly_id = a.id)::text AS motions_json FROM "{table}" a WHERE a.id = %s',
            [assembly.pk],
        )[0]
        rows = json.loads(getattr(fresh, "motions_json", None) or "[]")
        return fresh, [(code, title) for code, title in rows]
    fresh = Assembly.objects.get(pk=assembly.pk)
    return fresh, list(fresh.motions.order_by("seq").values_list("code", "title"))


def _lock_shared(assembly: Assembly) -> tuple[Assembly, list[tuple[str, str]]]:
    """The assembly's shared lock on its own (a paper ballot: not a hot path), then the assembly and its motions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [LOCK_SPACE, assembly.pk])
    return _read_open(assembly)


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
