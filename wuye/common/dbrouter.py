"""Reads that may go to a streaming replica: dashboards, the city and monthly reports, exports.

Only code that says so reads from the replica, with `reading_replica()` around the read:

    with reading_replica():
        data = dashboard.build(filters, with_people=...)

Every other read, and every write, uses `default`. Without `DATABASE_REPLICA_URL` there is no replica alias and
`reading_replica()` changes nothing. Inside a transaction on `default` (a request or a command that has written,
or may write) reads stay on `default` even within `reading_replica()`: a replica lags, and an operation must see
its own writes.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("wuye_reading_replica", default=False)


def replica_alias() -> str:
    """The alias a replica-tolerant read uses now: `replica` if configured and usable, else `default`."""
    if REPLICA_ALIAS not in connections.settings:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_ALIAS


@contextlib.contextmanager
def reading_replica() -> Iterator[str]:
    """Within the block, ORM reads go to the replica when there is one (see the module's docstring)."""
    token = _reading_replica.set(True)
    try:
        yield replica_alias()
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Reads to the replica inside `reading_replica()` only; writes and migrations always to default."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if _reading_replica.get():
            return replica_alias()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of default: same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
