"""Smoke test of the stack deploy/up.sh started: everything over HTTPS through nginx, as a resident and a staff
member would, then a look in the database. Exit status 0 when every check passed.

    .venv/bin/python deploy/smoke.py

Checks: HTTP redirects to HTTPS; /healthz/ answers; static files come from nginx (not gunicorn) and /media/ is not
public; a resident files a complaint through the QR form and tracks it; the job workers process it; a bureau user
logs in with password and TOTP and opens the case list; the client address the app recorded is the one nginx
forwarded (the resident's forged X-Forwarded-For names nobody).
"""

import json
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg  # noqa: E402
from stackclient import Session, hidden, login_staff, stack_env  # noqa: E402

DEMO_PASSWORD = "wuye-demo-2025"
FORGED = "203.0.113.77"  # what a client may write in X-Forwarded-For; the app must not believe it
failures: list[str] = []


def check(ok: bool, what: str, detail: str = "") -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}{'' if ok else '   ' + detail}")
    if not ok:
        failures.append(what)


def main() -> int:
    env = stack_env()
    url, ca, stack = env["STACK_URL"], env["STACK_CA"], Path(env["STACK_DIR"])
    db = psycopg.connect(env["STACK_DB_URL"], autocommit=True)

    def one(sql: str, *args: object) -> object:
        row = db.execute(sql, args).fetchone()
        return row[0] if row else None

    # --- HTTP -> HTTPS ------------------------------------------------------------------------------------------
    plain = Session(env["STACK_HTTP_URL"])
    r = plain.get("/estates/?x=1")
    check(
        r.status == 301 and r.location == url + "/estates/?x=1",
        "http:// redirects to https://",
        f"{r.status} {r.location}",
    )

    # --- health -------------------------------------------------------------------------------------------------
    s = Session(url, ca=ca, source="127.0.0.2")
    r = s.get("/healthz/")
    body = r.json() if r.status == 200 else {}
    check(
        r.status == 200 and body.get("database") == "ok" and body.get("cache") == "ok",
        "/healthz/ answers 200",
        r.text[:200],
    )

    # --- static by nginx, media not public ------------------------------------------------------------------------
    home = s.get("/")
    check(home.status == 200, "home page over HTTPS", str(home.status))
    statics = re.findall(r'(?:href|src)="(/static/[^"?]+)', home.text)
    check(bool(statics), "the home page links static files")
    access_log = stack / "log" / "access.log"
    before = access_log.read_text() if access_log.exists() else ""
    if statics:
        r = s.get(statics[0])
        check(
            r.status == 200 and "Expires" in r.headers,
            f"static {statics[0]} served with nginx's Expires",
            str(r.status),
        )
        time.sleep(0.3)
        after = access_log.read_text() if access_log.exists() else ""
        check(statics[0] not in after[len(before) :], "gunicorn never saw the static request")
    r = s.get("/media/leads/anything.jpg")
    check(r.status == 404, "/media/ is not public", str(r.status))

    # --- a resident files through the QR form and tracks it --------------------------------------------------------
    estate = one("select code from registry_estate order by id limit 1")
    resident = Session(url, ca=ca, source="127.0.0.2", extra_headers={"X-Forwarded-For": FORGED})
    r = resident.get(f"/q/{estate}/")
    check(r.status == 200, f"QR form of estate {estate}", str(r.status))
    text = f"冒烟测试：5栋楼道灯坏了一周（{uuid.uuid4().hex[:6]}）"
    r = resident.post(f"/q/{estate}/", {"step": "start", "text": text, "category": ""})
    idem = hidden(r.text, "idem")
    check(r.status == 200 and bool(idem), "QR step 1 -> step 2 with an idempotency key", str(r.status))
    r = resident.request(
        "POST",
        f"/q/{estate}/",
        data={
            "csrfmiddlewaretoken": resident.cookies.get("csrftoken", ""),
            "text": text,
            "category": "",
            "idem": idem,
        },
        files={"photos": ("lamp.png", _png(), "image/png")},
    )
    m = re.search(r"/track/([^/]+)/\?new=1", r.location)
    check(r.status == 302 and bool(m), "QR submit -> tracking page", f"{r.status} {r.text[:300]}")
    code = m.group(1) if m else ""
    r = resident.get(r.location or "/track/")
    check(r.status == 200 and code in r.text, "the tracking page shows the code", str(r.status))
    r = resident.get(f"/track/{code}/")
    check(r.status == 200, "tracking by code", str(r.status))
    leads = one("select count(*) from intake_lead where tracking_code = %s", code)
    check(leads == 1, "exactly one lead in the database", str(leads))
    lead_id = one("select id from intake_lead where tracking_code = %s", code)

    # --- the job workers took it ----------------------------------------------------------------------------------
    deadline = time.monotonic() + 30
    done = False
    while time.monotonic() < deadline and not done:
        status = one(
            "select status from procrastinate_jobs where task_name = 'intake.lead_created' "
            "and (args->>'lead_id')::int = %s",
            lead_id,
        )
        done = status == "succeeded"
        if not done:
            time.sleep(0.5)
    check(done, f"the job workers processed the new lead ({env['STACK_JOBS']})")

    # --- staff: password + TOTP ---------------------------------------------------------------------------------
    secrets = json.loads((stack / "totp.json").read_text())
    staff = Session(url, ca=ca, source="127.0.0.3", extra_headers={"X-Forwarded-For": FORGED})
    try:
        r = login_staff(staff, "zhongchu", DEMO_PASSWORD, secrets["zhongchu"])
        check(r.status == 302, "task force logs in with password and TOTP")
    except RuntimeError as exc:
        check(False, "task force logs in with password and TOTP", str(exc))
    r = staff.get("/cases/")
    check(r.status == 200, "the case list for the task force", str(r.status))
    r = staff.get(f"/track/{code}/")
    check(r.status == 200, "staff see the tracking page", str(r.status))

    # --- the client address as recorded ----------------------------------------------------------------------------
    ip = one(
        "select host(ip_address) from axes_accesslog where username = 'zhongchu' order by id desc limit 1"
    )
    check(
        ip == "127.0.0.3",
        "the login recorded the address nginx forwarded (127.0.0.3), not the forged one",
        str(ip),
    )
    wrong = Session(url, ca=ca, source="127.0.0.4", extra_headers={"X-Forwarded-For": FORGED})
    wrong.get("/accounts/login/")
    wrong.post("/accounts/login/", {"username": "smoke-nobody", "password": "wrong-password"})
    ip = one(
        "select host(ip_address) from axes_accessattempt where username = 'smoke-nobody' order by id desc limit 1"
    )
    check(ip == "127.0.0.4", "a failed login is charged to 127.0.0.4", str(ip))
    db.execute("delete from axes_accessattempt where username = 'smoke-nobody'")

    print(f"\nsmoke: {len(failures)} failed" if failures else "\nsmoke: every check passed")
    return 1 if failures else 0


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


if __name__ == "__main__":
    sys.exit(main())
