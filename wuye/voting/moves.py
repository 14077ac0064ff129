"""Who may run an assembly (its committee, or the bureau as the town's convener), its row locks, and its status
moves along the declared transitions with their audit entry."""

import json
from typing import Any

from django.db import connection, models

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.common.errors import InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, actor_role
from wuye.registry.selectors import bureau_acts_on_estate

from .models import (
    TRANSITIONS,
    Assembly,
    AssemblyStatus,
    ElectorPerson,
    ElectorVoter,
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


def voter_holding_shared(assembly_pk: int, owner_id: int) -> tuple[ElectorVoter, str] | None:
    """The owner's entry in the assembly's roll (with its person) and the owner's phone, or None; on PostgreSQL
    the statement also takes the assembly's shared advisory lock.

    Ballots take this shared lock: they run side by side, while a status move (`_lock`, exclusive) waits for
    those in flight, and a ballot arriving during a move waits for it. A row lock (`FOR SHARE`) would do the same
    but writes to the assembly's row for every ballot (a multixact listing every concurrent ballot); the advisory
    lock lives in memory only. The lock is taken by the statement that reads the voter, so a ballot costs no extra
    round trip; the assembly must be read by a *later* statement (in READ COMMITTED a statement's snapshot is taken
    before it waits, so only a later one sees a move committed meanwhile). Without a row no lock is taken: the
    caller refuses the ballot anyway. The statement is written out (one row of three tables; a ballot's hot path
    counts the ORM's query building too)."""
    if connection.vendor != "postgresql":
        try:  # one row at most (unique per assembly and owner): get() needs no ORDER BY
            voter = ElectorVoter.objects.select_related("person", "owner").get(
                assembly_id=assembly_pk, owner_id=owner_id
            )
        except ElectorVoter.DoesNotExist:
            return None
        return voter, voter.owner.phone
    fields = ElectorPerson._meta.concrete_fields
    columns = ", ".join(f'p."{f.column}"' for f in fields)
    owner = ElectorVoter._meta.get_field("owner").related_model._meta.db_table  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.id, v.may_vote, o.phone, pg_advisory_xact_lock_shared(%s, %s)::text, {columns} "
            f'FROM "{ElectorVoter._meta.db_table}" v JOIN "{ElectorPerson._meta.db_table}" p ON p.id = v.person_id '
            f'JOIN "{owner}" o ON o.id = v.owner_id WHERE v.assembly_id = %s AND v.owner_id = %s',
            [LOCK_SPACE, assembly_pk, assembly_pk, owner_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    voter_id, may_vote, phone, _lock_taken, *values = row
    person = ElectorPerson.from_db(
        connection.alias,
        [f.attname for f in fields],
        [_from_db(f, v) for f, v in zip(fields, values, strict=True)],
    )
    voter = ElectorVoter(
        id=voter_id, assembly_id=assembly_pk, person=person, owner_id=owner_id, may_vote=may_vote
    )
    return voter, phone


def _from_db(field: "models.Field[Any, Any]", value: Any) -> Any:
    convert = getattr(field, "from_db_value", None)
    return value if convert is None or value is None else convert(value, None, connection)


def _read_open(assembly: Assembly) -> tuple[Assembly, list[tuple[str, str]]]:
    """The assembly (read after its shared lock is held, see `hold_shared`) with its motions as (code, title) in
    order: on PostgreSQL in one statement (a ballot's hot path counts round trips)."""
    if connection.vendor == "postgresql":
        fields = Assembly._meta.concrete_fields
        columns = ", ".join(f'a."{f.column}"' for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, (SELECT json_agg(json_build_array(m.code, m.title) ORDER BY m.seq) "
                f'FROM "{Motion._meta.db_table}" m WHERE m.assembly_id = a.id)::text '
                f'FROM "{Assembly._meta.db_table}" a WHERE a.id = %s',
                [assembly.pk],
            )
            *values, motions_json = cursor.fetchone()
        # the model from its row as the ORM builds it (each field's own conversion, e.g. JSON), without the cost of
        # a raw() query reading the cursor's column descriptions
        fresh = Assembly.from_db(
            connection.alias,
            [f.attname for f in fields],
            [_from_db(f, value) for f, value in zip(fields, values, strict=True)],
        )
        return fresh, [(code, title) for code, title in json.loads(motions_json or "[]")]
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
