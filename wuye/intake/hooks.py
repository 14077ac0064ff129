"""Apps that react to a new lead (triage suggestions, notifications) register here in AppConfig.ready().

Callbacks run after the lead's transaction commits, with the lead's id; a failing callback is logged and never
loses the lead.

Where they run is `settings.WUYE["LEAD_HOOKS"]`:
- "inline" (default; tests, commands): in the committing thread, i.e. inside the resident's request;
- "background" (web servers): one worker thread per process runs them in order from a bounded queue, so the
  resident's request does not wait for the classifier. When the queue is full the callback runs inline
  (back-pressure, nothing dropped). Leads whose callbacks were still queued when a process stopped are picked up
  by `manage.py triage_backfill`.
"""

import logging
import queue
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger("wuye.intake")

LeadCallback = Callable[[int], None]
_on_lead_created: list[LeadCallback] = []
QUEUE_SIZE = 1000
_queue: "queue.Queue[int]" = queue.Queue(maxsize=QUEUE_SIZE)
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def register_on_lead_created(callback: LeadCallback) -> None:
    if callback not in _on_lead_created:
        _on_lead_created.append(callback)


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
    if settings.WUYE.get("LEAD_HOOKS", "inline") == "background":
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
