"""Convention: background work runs as procrastinate jobs (wuye.common.jobs), not on machinery written here.

No module under wuye/ (tests and test helpers aside) defines a queue, starts a worker thread or keeps a cursor over
leads; a grep, so a new one fails here before review."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "a queue.Queue": re.compile(
        r"\bqueue\.(Simple|Lifo|Priority)?Queue\b|^\s*(import queue|from queue import)", re.M
    ),
    "a thread of its own": re.compile(r"\bThread\s*\(|\bThreadPoolExecutor\b|\b_thread\b"),
    "a cursor over leads": re.compile(r"LeadHookCursor|last_lead_id|process_pending_leads|GAP_WAIT"),
    "a scheduler loop": re.compile(r"^\s*while True:[\s\S]{0,400}?\bsleep\(", re.M),
}


def _production_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "tests" in rel.parts or rel.parts[0] == "testing" or "migrations" in rel.parts:
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_no_module_implements_a_queue_a_worker_thread_or_a_lead_cursor():
    found = [
        f"wuye/{rel}: {what}"
        for rel, text in _production_modules()
        for what, pattern in FORBIDDEN.items()
        if pattern.search(text)
    ]
    assert found == [], "use wuye.common.jobs (procrastinate) instead:\n" + "\n".join(found)


def test_the_check_sees_what_it_forbids():
    samples = {
        "a queue.Queue": "import queue\nq = queue.Queue(maxsize=10)\n",
        "a thread of its own": "threading.Thread(target=work, daemon=True).start()\n",
        "a cursor over leads": "cursor.last_lead_id = max(ids)\n",
        "a scheduler loop": "while True:\n    run()\n    time.sleep(60)\n",
    }
    for what, text in samples.items():
        assert FORBIDDEN[what].search(text), what
