"""Apps that react to a new lead (triage suggestions, notifications) register here in AppConfig.ready().

Callbacks run after the lead's transaction commits, with the lead's id; a failing callback is logged and never
loses the lead.

Where they run is the county setting `LEAD_HOOKS`:
- "inline" (default; tests, commands): in the committing thread, i.e. inside the resident's request;
- "background" (web servers): one worker thread per process runs them in order from a bounded queue, so the
  resident's request does not wait for the classifier. When the queue is full the callback runs inline
  (back-pressure, nothing dropped). Leads whose callbacks were still queued when a process stopped are picked up
  by `manage.py triage_backfill`.
- "worker" (production): the request only commits the lead; a separate process, `manage.py lead_worker`, runs the
  callbacks for every lead created since the last one it processed, in id order, keeping its progress in the
  `LeadHookCursor` row (in the same transaction as the callbacks' writes), so a restart neither skips nor repeats
  leads. Callbacks must still be safe to run twice (a callback with outside effects may repeat after a crash).
"""

import logging
import queue
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F

from wuye.kernel.conf import county_setting

logger = logging.getLogger("wuye.intake")

LeadCallback = Callable[[int], None]
LeadsCallback = Callable[[list[int]], object]
_on_lead_created: list[LeadCallback] = []
# Optional batch versions, used by the worker: e.g. triage classifies 50 leads in one model call (~0.7 ms a lead)
# instead of 50 calls (~6 ms each).
_batch_versions: dict[LeadCallback, LeadsCallback] = {}
QUEUE_SIZE = 1000
WORKER_BATCH = 50
# A lead id the worker passed while it was not yet visible (its transaction still open, or rolled back) is retried
# for this long; rolled-back ids never appear, and no lead transaction stays open for minutes.
GAP_WAIT_SECONDS = 300.0
GAP_LIMIT = 10_000
_queue: "queue.Queue[int]" = queue.Queue(maxsize=QUEUE_SIZE)
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def register_on_lead_created(callback: LeadCallback, *, many: LeadsCallback | None = None) -> None:
    """`callback(lead_id)` runs for every new lead; `many(lead_ids)`, when given, does the same for a batch and
    is what `manage.py lead_worker` calls (it must give each lead the same result as `callback` would)."""
    if callback not in _on_lead_created:
        _on_lead_created.append(callback)
    if many is not None:
        _batch_versions[callback] = many


def _run_callbacks(lead_id: int) -> None:
    for callback in list(_on_lead_created):
        try:
            callback(lead_id)
        except Exception:
            logger.exception("lead-created hook %r failed for lead %s", callback, lead_id)


def _work() -> None:
    while True:
        lead_id = _queue.get()
        try:
            close_old_connections()
            _run_callbacks(lead_id)
        finally:
            connections.close_all()
            _queue.task_done()


def _ensure_worker() -> None:
    global _worker
    if _worker is not None and _worker.is_alive():
        return
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="wuye-lead-hooks", daemon=True)
            _worker.start()


def run_on_lead_created(lead_id: int) -> None:
    if not _on_lead_created:
        return
    mode = county_setting("LEAD_HOOKS")
    if mode == "worker":
        return  # manage.py lead_worker picks the lead up from the database
    if mode == "background":
        _ensure_worker()
        try:
            _queue.put_nowait(lead_id)
            return
        except queue.Full:
            logger.warning("lead-created hook queue full; running inline for lead %s", lead_id)
    _run_callbacks(lead_id)


def wait_for_background(timeout: float = 30.0) -> bool:
    """For tests and benchmarks: True once every queued callback has run."""
    done = threading.Event()

    def waiter() -> None:
        _queue.join()
        done.set()

    threading.Thread(target=waiter, daemon=True).start()
    return done.wait(timeout)


# --- worker mode: manage.py lead_worker ---------------------------------------------------------------------------


def _run_callbacks_in_savepoints(lead_ids: list[int]) -> None:
    """Like _run_callbacks, inside the worker's transaction: a failing callback rolls back only its own writes.
    A callback with a batch version gets the whole batch at once; if that fails, each lead is run on its own."""
    for callback in list(_on_lead_created):
        many = _batch_versions.get(callback)
        if many is not None:
            try:
                with transaction.atomic():
                    many(lead_ids)
                continue
            except Exception:
                logger.exception(
                    "lead-created hook %r failed for a batch of %s; one lead at a time", many, len(lead_ids)
                )
        for lead_id in lead_ids:
            try:
                with transaction.atomic():
                    callback(lead_id)
            except Exception:
                logger.exception("lead-created hook %r failed for lead %s", callback, lead_id)


def cursor_ensure(*, skip_existing: bool = False) -> None:
    """Create the cursor row if missing: from the first lead, or after the newest one with skip_existing."""
    from .models import Lead, LeadHookCursor

    if LeadHookCursor.objects.filter(pk=1).exists():
        return
    start = 0
    if skip_existing:
        start = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    LeadHookCursor.objects.get_or_create(pk=1, defaults={"last_lead_id": start})


def process_pending_leads(*, batch: int = WORKER_BATCH, gap_wait: float = GAP_WAIT_SECONDS) -> int | None:
    """Run the callbacks for the next `batch` leads after the cursor (and late-committed leads in its gaps).

    Returns how many leads were processed, or None when another worker holds the cursor (PostgreSQL:
    `select_for_update(skip_locked=True)`). The callbacks' writes and the cursor's advance commit together.
    """
    from .models import Lead, LeadHookCursor

    cursor_ensure()
    with transaction.atomic():
        if connection.vendor == "sqlite":
            # SQLite has no row locks: take the database write lock first so two workers run one after the other
            LeadHookCursor.objects.filter(pk=1).update(last_lead_id=F("last_lead_id"))
        cursor = LeadHookCursor.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if cursor is None:
            return None
        stamp = time.time()
        gaps = {int(k): float(v) for k, v in (cursor.gaps or {}).items()}
        late = set(Lead.objects.filter(pk__in=list(gaps)).values_list("pk", flat=True)) if gaps else set()
        new_ids = list(
            Lead.objects.filter(pk__gt=cursor.last_lead_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        expected = cursor.last_lead_id + 1
        if cursor.last_lead_id == 0 and new_ids:
            expected = new_ids[
                0
            ]  # a fresh cursor: ids below the first lead are not gaps (deleted, test sequences)
        for lead_id in new_ids:
            if lead_id - expected > GAP_LIMIT:
                logger.warning(
                    "lead ids jump from %s to %s; only the last %s are watched", expected, lead_id, GAP_LIMIT
                )
            for missing in range(max(expected, lead_id - GAP_LIMIT), lead_id):
                gaps.setdefault(missing, stamp)
            expected = lead_id + 1
        for lead_id in late:
            del gaps[lead_id]
        for lead_id, first_missed in list(gaps.items()):
            if stamp - first_missed > gap_wait:
                del gaps[lead_id]  # rolled back: the id will never appear
        if len(gaps) > GAP_LIMIT:
            gaps = dict(sorted(gaps.items())[-GAP_LIMIT:])
        todo = sorted(late | set(new_ids))
        if todo:
            _run_callbacks_in_savepoints(todo)
        stored_gaps = {str(k): v for k, v in sorted(gaps.items())}
        if new_ids or stored_gaps != cursor.gaps:
            cursor.last_lead_id = max([cursor.last_lead_id, *new_ids])
            cursor.gaps = stored_gaps
            cursor.save(update_fields=["last_lead_id", "gaps", "updated_at"])
        return len(todo)
