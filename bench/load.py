"""Load bench of the deployed stack (deploy/up.sh): a mixed workload through nginx over HTTPS, with a PostgreSQL
restart and a killed job worker in the middle, then the database counted against what the clients were told.

    deploy/up.sh --no-smoke && LOAD_SECONDS=60 .venv/bin/python bench/load.py

Clients (threads, each with its own keep-alive connection and its own loopback address 127.0.x.y, so nginx forwards
a different client address for each and the per-client rate limits apply as they would to real phones):
- residents (LOAD_RESIDENTS, default 24): the QR form's two steps, then the tracking page; on a 5xx or a broken
  connection they retry with the same idempotency key, and every 5th filing is sent twice on purpose (a double
  tap): both answers must name the same tracking code. Paced at 15 filings a minute per address (the limit is 20).
- ledger staff (2, the demo companies' users): append a revenue-ledger entry with a unique description, read it.
- dashboard staff (2, task force with password + TOTP): case list, oversight dashboard, compliance, progress.
- owners (LOAD_OWNERS, default 8 threads): every owner of the open assembly who has not voted yet votes, its
  deadline moved to 30 minutes from now; each 4th ballot is sent again, which must be refused, not counted twice.
- the scheduler: procrastinate's periodic tasks in the workers (the tick every minute).
At 35 % of the run `pg_ctlcluster 15 wuyestack restart`; at 60 % SIGKILL to worker-1, started again 2 s later
(systemd's RestartSec=2). Recovery = from the restart's start to the first successful write started after it.

At the end (after the workers drained): leads, ballots, ledger entries, receipt SMS and jobs in the database
against the acknowledgements: lost = acknowledged but absent, doubled = present more than once.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))
from stackclient import STACK_ENV, Session, hidden, login_staff, stack_env  # noqa: E402

if (
    __name__ == "__main__" and not STACK_ENV.exists()
):  # `make bench` runs every bench: this one needs the stack
    print("bench/load.py: skipped, the stack is not up (deploy/up.sh starts it, deploy/down.sh stops it)")
    sys.exit(0)

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
RESIDENTS = int(os.environ.get("LOAD_RESIDENTS", "24"))
OWNER_THREADS = int(os.environ.get("LOAD_OWNERS", "8"))
FAULTS = os.environ.get("LOAD_FAULTS", "1") != "0"
DEMO_PASSWORD = "wuye-demo-2025"
ENV = stack_env()
STACK = Path(ENV["STACK_DIR"])
URL, CA = ENV["STACK_URL"], ENV["STACK_CA"]


# --- what every request did ----------------------------------------------------------------------------------------
@dataclass
class Rec:
    kind: str
    start: float
    end: float
    status: int  # 0 = no answer (connection refused, reset, timeout)
    ok: bool


RECORDS: list[Rec] = []
ACKED: dict[str, set[str]] = defaultdict(
    set
)  # leads (tracking codes), ballots (voter user ids), entries (text)
IDEM_CODES: dict[str, set[str]] = defaultdict(set)  # idempotency key -> tracking codes answered for it
REFUSED_SECOND_BALLOT: list[int] = []
LOCK = threading.Lock()
T0 = time.monotonic()
STOP = threading.Event()
DONE = threading.Event()  # the counting is over: the supervisor stops
RUN = uuid.uuid4().hex[:6]  # in every text this run writes, so earlier runs' rows are not counted


def record(kind: str, start: float, status: int, ok: bool) -> None:
    with LOCK:
        RECORDS.append(Rec(kind, start - T0, time.monotonic() - T0, status, ok))


def call(s: Session, kind: str, method: str, path: str, ok_status: tuple[int, ...] = (200,), **kw):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    try:
        r = s.request(method, path, **kw)
    except Exception:  # noqa: BLE001 - any failure to get an answer is an error of this request
        s.close()
        record(kind, start, 0, False)
        return None
    record(kind, start, r.status, r.status in ok_status)
    return r


def pause(seconds: float) -> None:
    STOP.wait(seconds)


# --- setup in the stack's database (Django, direct connection) ------------------------------------------------------
def django_setup() -> None:
    for line in (STACK / "app.env").read_text().splitlines():
        m = re.match(r"export (\w+)='?(.*?)'?$", line)
        if m:
            os.environ[m.group(1)] = m.group(2)
    sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(":") if p]
    os.environ["DATABASE_URL"] = os.environ["WUYE_WORKER_DATABASE_URL"]
    os.environ["DB_PGBOUNCER"] = "0"
    import django

    django.setup()


def prepare() -> dict:  # type: ignore[type-arg]
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from wuye.accounts.models import Role, User
    from wuye.registry.models import Estate
    from wuye.revenue.models import ACCOUNT_OPEN_STATES, RevenueAccount
    from wuye.revenue.selectors.ledger import revenue_estates_visible_to
    from wuye.voting.models import Assembly, Ballot, ElectorVoter

    assembly = Assembly.objects.filter(status="open").order_by("-id").first()
    owners: list[tuple[int, str]] = []
    if assembly:
        Assembly.objects.filter(pk=assembly.pk).update(vote_end=timezone.now() + dt.timedelta(minutes=30))
        voted = Ballot.objects.filter(assembly=assembly).values("person_id")
        free = ElectorVoter.objects.filter(assembly=assembly).exclude(person_id__in=voted)
        seen_person: set[int] = set()
        users = {
            u.owner_id: u for u in User.objects.filter(role=Role.OWNER, owner_id__in=free.values("owner_id"))
        }
        for v in free.order_by("id"):
            u = users.get(v.owner_id)
            if u is None or v.person_id in seen_person:
                continue  # one owner per person: co-owners share one ballot
            seen_person.add(v.person_id)
            store = SessionStore()
            store[SESSION_KEY] = str(u.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = u.get_session_auth_hash()
            store.create()
            owners.append((u.pk, store.session_key or ""))
    ledger = []
    for name in ("company", "company2"):
        user = User.objects.get(username=name)
        est = (
            revenue_estates_visible_to(user)
            .filter(revenue_account__status__in=ACCOUNT_OPEN_STATES)
            .order_by("id")
            .first()
        )
        if est:
            ledger.append((name, est.code))
    estates = list(Estate.objects.order_by("id").values_list("code", flat=True)[:20])
    return {
        "assembly": assembly.pk if assembly else None,
        "owners": owners,
        "ledger": ledger,
        "estates": estates,
        "accounts": RevenueAccount.objects.count(),
    }


# --- the clients ----------------------------------------------------------------------------------------------------
def resident(n: int, estates: list[str]) -> None:
    s = Session(URL, ca=CA, source=f"127.0.{1 + n // 200}.{10 + n % 200}")
    rng = random.Random(n)
    i = 0
    while not STOP.is_set():
        began = time.monotonic()
        i += 1
        estate = rng.choice(estates)
        r = call(s, "resident_form", "GET", f"/q/{estate}/")
        if r is None or r.status != 200:
            pause(1)
            continue
        text = f"压测{RUN}-{n}-{i}：{rng.choice(['3栋电梯停运', '地下车库漏水', '楼道灯不亮', '垃圾清运不及时'])}"
        r = call(
            s, "resident_form", "POST", f"/q/{estate}/", data=_csrf(s, step="start", text=text, category="")
        )
        idem = hidden(r.text, "idem") if r is not None and r.status == 200 else ""
        if not idem:
            pause(1)
            continue
        code = _file(s, estate, text, idem)
        if code and i % 5 == 0:  # double tap: the same key again must answer the same tracking code
            _file(s, estate, text, idem)
        if code:
            call(s, "resident_track", "GET", f"/track/{code}/")
        pause(max(0.0, 4.0 - (time.monotonic() - began)))  # 15 filings a minute from this address


def _csrf(s: Session, **fields: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": s.cookies.get("csrftoken", ""), **fields}


def _post_until_answered(s: Session, kind: str, path: str, data: dict[str, str], tries: int = 6):  # type: ignore[no-untyped-def]
    """POST; on no answer, a 5xx or a 429 post the same again (the same form, so the same idempotency key: a
    person tapping again), backing off; give up after `tries`, or after 3 once the run is stopping. The last
    response (None if nothing answered)."""
    r = None
    for attempt in range(tries):
        r = call(s, kind, "POST", path, ok_status=(302,), data=data)
        if r is not None and r.status < 500 and r.status != 429:
            return r
        if STOP.is_set() and attempt >= 2:
            return r
        time.sleep(0.5 * (attempt + 1))
    return r


def _file(s: Session, estate: str, text: str, idem: str) -> str:
    """Submit step 2, retried with the same key; the tracking code of the stored lead, or ""."""
    r = _post_until_answered(s, "resident_file", f"/q/{estate}/", _csrf(s, text=text, category="", idem=idem))
    m = re.search(r"/track/([^/]+)/", r.location) if r is not None and r.status == 302 else None
    if m is None:
        return ""
    with LOCK:
        ACKED["leads"].add(m.group(1))
        IDEM_CODES[idem].add(m.group(1))
    return m.group(1)


def ledger_staff(username: str, estate: str, n: int) -> None:
    s = Session(URL, ca=CA, source=f"127.0.3.{10 + n}")
    try:
        login_staff(s, username, DEMO_PASSWORD, None)
    except Exception as exc:  # noqa: BLE001
        print(f"  ledger {username}: login failed: {exc}")
        return
    i = 0
    while not STOP.is_set():
        i += 1
        r = call(s, "ledger_read", "GET", f"/revenue/estates/{estate}/entries/new/")
        if r is None or r.status != 200:
            pause(1)
            continue
        text = f"压测收入{username}-{i}-{uuid.uuid4().hex[:8]}"
        r = call(
            s,
            "ledger_write",
            "POST",
            f"/revenue/estates/{estate}/entries/new/",
            ok_status=(302,),
            data=_csrf(
                s,
                kind="income",
                occurred_on=time.strftime("%Y-%m-%d"),
                amount="100.00",
                source="parking",
                use="",
                description=text,
                counterparty="压测",
            ),
        )
        if r is not None and r.status == 302:
            with LOCK:
                ACKED["entries"].add(text)
        elif r is not None and r.status == 200 and i == 1:
            print("  ledger form refused:", re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', r.text)[:3])
        call(s, "ledger_read", "GET", f"/revenue/estates/{estate}/")
        pause(0.5)


def dashboard_staff(username: str, secret: str, n: int) -> None:
    s = Session(URL, ca=CA, source=f"127.0.4.{10 + n}")
    try:
        login_staff(s, username, DEMO_PASSWORD, secret)
    except Exception as exc:  # noqa: BLE001
        print(f"  dashboards {username}: login failed: {exc}")
        return
    pages = ["/cases/", "/oversight/dashboard/", "/revenue/compliance/", "/progress/", "/"]
    while not STOP.is_set():
        for p in pages:
            call(s, "staff_dashboard", "GET", p)
            pause(0.3)


def owner_voter(queue: list[tuple[int, str]], assembly: int) -> None:
    rng = random.Random()
    while not STOP.is_set():
        with LOCK:
            item = queue.pop() if queue else None
        if item is None:
            return
        uid, session_key = item
        s = Session(URL, ca=CA, source=f"127.0.5.{10 + uid % 240}", cookies={"sessionid": session_key})
        for _ in range(20):  # an owner who got an error page tries again a little later
            r = call(s, "owner_vote_page", "GET", f"/voting/{assembly}/vote/")
            if r is not None and (r.status == 200 or r.status < 500) or STOP.is_set():
                break
            time.sleep(1)
        if r is None or r.status != 200:
            continue
        motions = sorted(set(re.findall(r'name="(m_[^"]+)"', r.text)))
        choices = {m: rng.choice(["agree", "agree", "disagree", "abstain"]) for m in motions}
        r = _post_until_answered(s, "owner_vote", f"/voting/{assembly}/vote/", _csrf(s, **choices))
        if r is not None and r.status == 302:
            with LOCK:
                ACKED["ballots"].add(str(uid))
            call(s, "owner_receipt", "GET", f"/voting/{assembly}/receipt/")
            with LOCK:
                nth = len(ACKED["ballots"])
            if nth % 4 == 0:  # every 4th owner votes again: refused (400), never a second ballot
                r2 = call(
                    s,
                    "owner_vote_again",
                    "POST",
                    f"/voting/{assembly}/vote/",
                    ok_status=(400,),
                    data=_csrf(s, **choices),
                )
                if r2 is not None:
                    REFUSED_SECOND_BALLOT.append(r2.status)
        s.close()


# --- faults ---------------------------------------------------------------------------------------------------------
FAULT_LOG: dict[str, float] = {}


SUPERVISED: list[str] = []  # what the supervisor restarted: "worker-1 exited by itself at 23.4 s"


CHILDREN: dict[str, subprocess.Popen] = {}  # type: ignore[type-arg]  # the workers this script (re)started


def _alive(name: str) -> bool:
    if (
        name in CHILDREN
    ):  # our own child: poll() reaps it (a killed child is a zombie that kill(pid, 0) still finds)
        return CHILDREN[name].poll() is None
    try:
        os.kill(int((STACK / f"{name}.pid").read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def _restart(name: str) -> None:
    log = open(STACK / "log" / f"{name}.log", "a")  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen(
        [str(STACK / f"{name}.sh")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (STACK / f"{name}.pid").write_text(f"{proc.pid}\n")
    CHILDREN[name] = proc


def supervisor() -> None:
    """What systemd's Restart=always / RestartSec=2 does for wuye-worker@N: a worker that exits for any reason
    (killed, or giving up when PostgreSQL went away) is started again 2 s later."""
    names = [p.stem for p in STACK.glob("worker-*.pid")] + (
        ["scheduler"] if (STACK / "scheduler.pid").exists() else []
    )
    down_since: dict[str, float] = {}
    while not DONE.is_set():
        now = time.monotonic()
        for name in names:
            if _alive(name):
                down_since.pop(name, None)
            elif name not in down_since:
                down_since[name] = now
                with LOCK:
                    SUPERVISED.append(f"{name} exited at {now - T0:.1f} s")
            elif now - down_since[name] >= 2:
                _restart(name)
                down_since.pop(name)
                with LOCK:
                    SUPERVISED.append(f"{name} restarted at {time.monotonic() - T0:.1f} s")
        DONE.wait(0.2)


def faults() -> None:
    if not FAULTS:
        return
    pause(SECONDS * 0.35)
    if STOP.is_set():
        return
    FAULT_LOG["pg_restart_begin"] = time.monotonic() - T0
    subprocess.run(["pg_ctlcluster", "15", "wuyestack", "restart"], check=True)
    FAULT_LOG["pg_restart_end"] = time.monotonic() - T0
    pause(SECONDS * 0.25)
    if STOP.is_set():
        return
    for _ in range(50):  # the supervisor may still be bringing it back from the restart above
        if _alive("worker-1"):
            break
        time.sleep(0.2)
    FAULT_LOG["worker_kill"] = time.monotonic() - T0
    os.killpg(int((STACK / "worker-1.pid").read_text()), signal.SIGKILL)  # the supervisor restarts it


# --- counting ----------------------------------------------------------------------------------------------------------
def drain(jobs: str, lead_ids: list[int]) -> float:
    """Wait (up to 120 s) until the workers have processed everything; returns the seconds waited."""
    from django.db import connection

    started = time.monotonic()
    while time.monotonic() - started < 120:
        with connection.cursor() as c:
            c.execute("select count(*) from procrastinate_jobs where status in ('todo', 'doing')")
            if c.fetchone()[0] == 0:
                break
        time.sleep(1)
    return time.monotonic() - started


def count(setup: dict) -> dict:  # type: ignore[type-arg]
    from django.db import close_old_connections, connection
    from django.db.models import Count

    from wuye.intake.models import Lead
    from wuye.revenue.models import Entry
    from wuye.voting.models import Ballot

    close_old_connections()
    out: dict[str, dict[str, int]] = {}
    codes = ACKED["leads"]
    found = dict(Lead.objects.filter(tracking_code__in=codes).values_list("tracking_code", "id"))
    doubled_keys = sum(1 for v in IDEM_CODES.values() if len(v) > 1)
    # a double tap or retry that made a second lead would show as a second tracking code for one key (above) or as
    # two leads with the same text in the run
    dup_text = (
        Lead.objects.filter(text__startswith=f"压测{RUN}-")
        .values("text")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    out["leads"] = {"acked": len(codes), "lost": len(codes - set(found)), "doubled": doubled_keys + dup_text}
    jobs = ENV["STACK_JOBS"]
    waited = drain(jobs, list(found.values()))
    from wuye.voting.models import ElectorVoter  # noqa: F401

    uids = [int(u) for u in ACKED["ballots"]]
    from wuye.accounts.models import User

    owner_ids = list(User.objects.filter(pk__in=uids).values_list("owner_id", flat=True))
    persons = set(
        ElectorVoter.objects.filter(assembly_id=setup["assembly"], owner_id__in=owner_ids).values_list(
            "person_id", flat=True
        )
    )
    ballots = Ballot.objects.filter(assembly_id=setup["assembly"], person_id__in=persons)
    per_person = ballots.values("person_id").annotate(n=Count("id"))
    out["ballots"] = {
        "acked": len(uids),
        "lost": len(persons - {p["person_id"] for p in per_person}),
        "doubled": sum(1 for p in per_person if p["n"] > 1),
    }
    texts = ACKED["entries"]
    per_text = Entry.objects.filter(description__in=texts).values("description").annotate(n=Count("id"))
    out["ledger entries"] = {
        "acked": len(texts),
        "lost": len(texts - {p["description"] for p in per_text}),
        "doubled": sum(1 for p in per_text if p["n"] > 1),
    }
    # receipt SMS (console backend in this stack: one line per message in the web log), one per acknowledged ballot
    receipts = list(ballots.values_list("receipt", flat=True))
    # printed by whichever process sent it: the web process, or a job worker
    log = "".join(
        (STACK / "log" / f).read_text(errors="replace")
        for f in sorted(os.listdir(STACK / "log"))
        if f == "web.log" or f.startswith("worker-")
    )
    sms = [log.count(f"回执码 {r}") for r in receipts]
    out["receipt SMS"] = {
        "acked": len(receipts),
        "lost": sum(1 for n in sms if n == 0),
        "doubled": sum(1 for n in sms if n > 1),
    }
    with connection.cursor() as c:
        # the lead's follow-up work (triage's suggestion) ran exactly once for every acknowledged lead
        # (one-to-one in the schema), whichever worker ran it and whether or not one was killed meanwhile
        c.execute(
            "select count(*) from intake_lead l left join triage_suggestion s on s.lead_id = l.id "
            "where l.id = any(%s) and s.id is null",
            [list(found.values())],
        )
        out["lead follow-ups"] = {"acked": len(found), "lost": c.fetchone()[0], "doubled": 0}
        if jobs == "procrastinate":
            c.execute("select status, count(*) from procrastinate_jobs group by 1")
            states = dict(c.fetchall())
            out["jobs"] = {
                "acked": sum(states.values()),
                "lost": states.get("todo", 0) + states.get("doing", 0) + states.get("failed", 0),
                "doubled": 0,
            }
            out["jobs"]["states"] = states  # type: ignore[assignment]
    out["_drain_seconds"] = round(waited, 1)  # type: ignore[assignment]
    return out


def _stat(pid: int) -> tuple[int, int, float]:
    """(ppid, pgid, cpu seconds incl. reaped children) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), int(fields[2]), sum(int(x) for x in fields[11:15]) / ticks


def cpu_by_part() -> dict[str, float]:
    """CPU seconds used so far by the stack's parts: gunicorn (its process group), PostgreSQL (the postmaster and
    its children), nginx, pgbouncer, the job workers. Contention-free cost per request, whatever else runs here."""
    groups = {
        name: int((STACK / f"{name}.pid").read_text())
        for name in ("web", "nginx", "pgbouncer", "worker-1", "scheduler")
        if (STACK / f"{name}.pid").exists()
    }
    postmaster = int(Path("/var/lib/postgresql/15/wuyestack/postmaster.pid").read_text().split()[0])
    out: dict[str, float] = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid, pgid, cpu = _stat(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
        if int(entry.name) == postmaster or ppid == postmaster:
            out["postgresql"] += cpu
        for name, gid in groups.items():
            if pgid == gid or (name == "nginx" and ppid == gid) or int(entry.name) == gid:
                out[name] += cpu
                break
    return dict(out)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    global T0
    django_setup()
    setup = prepare()
    print(
        f"load: {SECONDS:.0f} s, {RESIDENTS} residents, {len(setup['ledger'])} ledger staff, 2 dashboard staff, "
        f"{OWNER_THREADS} owner threads for {len(setup['owners'])} owners (assembly {setup['assembly']}), "
        f"jobs: {ENV['STACK_JOBS']}, faults: {'on' if FAULTS else 'off'}"
    )
    secrets = json.loads((STACK / "totp.json").read_text())
    cpu_before = cpu_by_part()
    T0 = time.monotonic()
    threads = [threading.Thread(target=resident, args=(n, setup["estates"][:8])) for n in range(RESIDENTS)]
    threads += [
        threading.Thread(target=ledger_staff, args=(u, e, i)) for i, (u, e) in enumerate(setup["ledger"])
    ]
    threads += [
        threading.Thread(target=dashboard_staff, args=(u, secrets[u], i))
        for i, u in enumerate(["wangxue", "admin"])
    ]
    queue = list(setup["owners"])
    random.Random(1).shuffle(queue)

    # owners arrive over the first 80 % of the run, as a deadline draws near, not all in the first second
    def owners() -> None:
        ts = []
        for _ in range(OWNER_THREADS):
            ts.append(threading.Thread(target=owner_voter, args=(queue, setup["assembly"])))
        for t in ts:
            t.start()
            pause(SECONDS * 0.1)
        for t in ts:
            t.join()

    if setup["assembly"]:
        threads.append(threading.Thread(target=owners))
    fault_thread = threading.Thread(target=faults)
    supervisor_thread = threading.Thread(target=supervisor, daemon=True)
    supervisor_thread.start()
    for t in threads:
        t.start()
    fault_thread.start()
    time.sleep(SECONDS)
    STOP.set()
    for t in threads:
        t.join(timeout=60)
    fault_thread.join(timeout=30)
    elapsed = time.monotonic() - T0
    cpu_after = cpu_by_part()

    print(f"\n{'kind':<18} {'requests':>8} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
    kinds = sorted({r.kind for r in RECORDS})
    for k in kinds:
        rs = [r for r in RECORDS if r.kind == k]
        lat = [(r.end - r.start) * 1000 for r in rs if r.ok]
        print(
            f"{k:<18} {len(rs):>8} {sum(r.ok for r in rs):>6} {sum(not r.ok for r in rs):>6} "
            f"{pct(lat, 0.5):>8.1f} {pct(lat, 0.99):>8.1f}"
        )
    total = len(RECORDS)
    ok = sum(r.ok for r in RECORDS)
    statuses = defaultdict(int)
    for r in RECORDS:
        if not r.ok:
            statuses[r.status] += 1
    print(
        f"{'all':<18} {total:>8} {ok:>6} {total - ok:>6}   {total / elapsed:.1f} req/s over {elapsed:.1f} s "
        f"(errors by status: {dict(statuses)})"
    )
    used = {k: cpu_after.get(k, 0.0) - cpu_before.get(k, 0.0) for k in cpu_after}
    ok_n = max(1, ok)
    print(
        "CPU seconds used during the run: "
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(used.items()) if v > 0)
        + f"; per successful request: gunicorn {used.get('web', 0) / ok_n * 1000:.0f} ms, "
        + (
            f"PostgreSQL {used['postgresql'] / ok_n * 1000:.0f} ms, "
            if not FAULT_LOG and used.get("postgresql", -1) >= 0
            else "PostgreSQL n/a (restarted: run with LOAD_FAULTS=0), "
        )
        + f"nginx {used.get('nginx', 0) / ok_n * 1000:.1f} ms"
    )
    if "pg_restart_begin" in FAULT_LOG:
        b = FAULT_LOG["pg_restart_begin"]
        writes = [
            r
            for r in RECORDS
            if r.kind in ("resident_file", "ledger_write", "owner_vote") and r.start >= b and r.ok
        ]
        first = min((r.end for r in writes), default=float("nan"))
        window = [r for r in RECORDS if r.start >= b - 0.001 and r.start <= first]
        print(
            f"PostgreSQL restart at {b:.1f} s (pg_ctlcluster returned after {FAULT_LOG['pg_restart_end'] - b:.1f} s); "
            f"first successful write started after the restart began: +{first - b:.1f} s (recovery); "
            f"failed requests in between: {sum(not r.ok for r in window)}"
        )
    if "worker_kill" in FAULT_LOG:
        print(f"worker-1 SIGKILLed at {FAULT_LOG['worker_kill']:.1f} s")
    print("supervisor (as systemd's Restart=always):", "; ".join(SUPERVISED) or "nothing to restart")

    print(
        f"second ballots refused: {sum(1 for s in REFUSED_SECOND_BALLOT if s == 400)} of {len(REFUSED_SECOND_BALLOT)}"
    )
    counts = count(setup)
    print(f"\nworkers drained in {counts.pop('_drain_seconds')} s after the run")
    lost = doubled = 0
    for what, c in counts.items():
        extra = f"   {c['states']}" if "states" in c else ""
        print(f"{what:<20} acknowledged {c['acked']:>6}   lost {c['lost']}   doubled {c['doubled']}{extra}")
        lost += c["lost"]
        doubled += c["doubled"]
    DONE.set()
    print(f"\nlost = {lost}, doubled = {doubled}")
    sys.exit(0 if lost == 0 and doubled == 0 else 1)


if __name__ == "__main__":
    main()
