"""The first resident's submission after a start: with and without the triage model preloaded by wuye/wsgi.py.

Starts gunicorn (one sync worker, SQLite in a temporary directory, JOBS=inline as `make run` has it) twice:
WUYE_PRELOAD_TRIAGE=0, then 1. For each it prints the time from spawning the server to its first answer, the
first QR submission (which runs the triage hook inline) and the second one.

    .venv/bin/python bench/first_request.py
"""

import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8791"))
ESTATE = "FIRST01"

SETTINGS = """
from wuye.settings.local import *  # noqa
import os as _os
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench_first_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _os.environ["BENCH_DB"]}}
WUYE = {**WUYE, "JOBS": "inline", "PRELOAD_TRIAGE": _os.environ.get("WUYE_PRELOAD_TRIAGE") == "1"}
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""
URLS = """
from django.http import HttpResponse
from django.urls import include, path


def form(request):
    from django.middleware.csrf import get_token
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


urlpatterns = [path("bench/form/", form), path("", include("wuye.urls"))]
"""


def multipart(fields: dict[str, str], boundary: str) -> bytes:
    out = []
    for k, v in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n')
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode()


def submit(text: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("GET", "/bench/form/")
    resp = conn.getresponse()
    token = re.search(r'value="([^"]+)"', resp.read().decode()).group(1)
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    boundary = "----wuye" + uuid.uuid4().hex
    body = multipart({"csrfmiddlewaretoken": token, "idem": uuid.uuid4().hex, "text": text}, boundary)
    started = time.perf_counter()
    conn.request(
        "POST",
        f"/q/{ESTATE}/",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{PORT}/",
        },
    )
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if resp.status != 302:
        sys.exit(f"the QR submission answered {resp.status}")
    return elapsed


def run(env: dict[str, str], preload: str) -> None:
    env = {**env, "WUYE_PRELOAD_TRIAGE": preload}
    spawned = time.perf_counter()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "wuye.wsgi:application", "-b", f"127.0.0.1:{PORT}"]
        + ["-w", "1", "-k", "sync", "--log-level", "warning", "--timeout", "120"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/bench/form/")
                conn.getresponse().read()
                break
            except OSError:
                if time.perf_counter() - spawned > 120:
                    sys.exit("the server did not start")
                time.sleep(0.05)
        ready = time.perf_counter() - spawned
        first = submit("3栋电梯一周停运三次，物业不修")
        second = submit("地下车库消防通道被占")
        print(
            f"WUYE_PRELOAD_TRIAGE={preload}: server ready {ready:.2f} s after spawn; "
            f"first QR submission {first * 1000:.0f} ms, second {second * 1000:.0f} ms"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-first-"))
    (tmp / "bench_first_settings.py").write_text(SETTINGS)
    (tmp / "bench_first_urls.py").write_text(URLS)
    env = {
        **os.environ,
        "BENCH_DB": str(tmp / "db.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "bench_first_settings",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from wuye.testing import make_company, make_estate\n"
        f"make_estate(company=make_company(), name='首访花园', code='{ESTATE}')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    for preload in ("0", "1"):
        run(env, preload)


if __name__ == "__main__":
    main()
