"""Authentication cost on PostgreSQL: what one bad credential costs the server, and the owners' login-code answer
for a known and an unknown phone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_auth .venv/bin/python bench/auth.py

Creates (and at the end drops, unless BENCH_KEEP=1) its own database named in DATABASE_URL. In-process (Django's
test client, production password hasher), one request at a time, so the figures are CPU per request:
1. 16 API requests with a wrong HTTP Basic password for a non-existent user (before issue #12 each one ran the
   password hasher; now Basic is not read at all), 16 with a bad token, 16 with a good read-only token.
2. 20 login-code requests for owners' phones and 20 for unknown phones (limits raised for the run): median each.
"""

import base64
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402


def _timed(call, n):  # type: ignore[no-untyped-def]
    call()  # warm up (URL resolvers, imports)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        status = call()
        out.append((time.perf_counter() - t) * 1000)
    return out, status


def _show(label, ms, status):  # type: ignore[no-untyped-def]
    print(
        f"{label}: n={len(ms)} total {sum(ms):.0f} ms, median {statistics.median(ms):.1f} ms, "
        f"max {max(ms):.1f} ms (last status {status})"
    )


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    t = time.perf_counter()
    make_password("x")
    print(
        f"password hasher ({settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}): {(time.perf_counter() - t) * 1000:.0f} ms"
    )

    from wuye.accounts.models import Role
    from wuye.testing import make_estate, make_user

    admin = make_user(Role.BUREAU_ADMIN)
    client = Client()
    basic = "Basic " + base64.b64encode(b"nobody:wrong-password").decode()
    ms, status = _timed(lambda: client.get("/api/v1/cases/", HTTP_AUTHORIZATION=basic).status_code, 16)
    _show("16 bad Basic requests", ms, status)
    try:
        from wuye.accounts.apitokens import api_token_create
    except ImportError:
        print("(no API tokens in this version)")
    else:
        ms, status = _timed(
            lambda: client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token wuye_bad").status_code, 16
        )
        _show("16 bad token requests", ms, status)
        _, raw = api_token_create(actor=admin, name="bench", role=Role.CITY_VIEWER, read_only=True, groups=[])
        ms, status = _timed(
            lambda: client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {raw}").status_code, 16
        )
        _show("16 good token requests (list cases)", ms, status)

    from wuye.registry.models import Owner

    settings.WUYE = {**settings.WUYE, "SMS_PER_CLIENT": 10_000, "SMS_GLOBAL": 10_000}
    settings.WUYE["SMS_BACKEND"] = "wuye.accounts.sms.MemorySmsBackend"
    estate = make_estate(units=21)  # one more for the warm-up
    known = iter(Owner.objects.filter(ownerships__unit__estate=estate).values_list("phone", flat=True))
    unknown = iter(f"1390000{i:04d}" for i in range(21))

    def ask(phones):  # type: ignore[no-untyped-def]
        return lambda: client.post("/accounts/owner/", {"step": "phone", "phone": next(phones)}).status_code

    ms_k, status_k = _timed(ask(known), 20)
    ms_u, status_u = _timed(ask(unknown), 20)
    _show("20 login codes, owners' phones", ms_k, status_k)
    _show("20 login codes, unknown phones", ms_u, status_u)


if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "0")
    run_in_fresh_database(bench_database("wuye_bench_auth"), main)
