"""A small HTTPS client for the smoke test and the load bench (standard library only): one keep-alive connection
per session, cookies, Django's CSRF token, TLS verified against the stack's own certificate, and a chosen source
address on the loopback network (127.0.0.x), so each simulated client is a different address behind nginx."""

import html
import http.client
import json
import re
import ssl
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
STACK_ENV = ROOT / "var" / "stack" / "stack.env"


def stack_env() -> dict[str, str]:
    """What deploy/up.sh wrote: STACK_URL, STACK_HTTP_URL, STACK_CA, STACK_DB_URL, STACK_JOBS, STACK_DIR."""
    if not STACK_ENV.exists():
        raise SystemExit(f"{STACK_ENV} is missing: run deploy/up.sh first")
    out = {}
    for line in STACK_ENV.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Session:
    base: str  # https://localhost:8443
    ca: str | None = None
    source: str | None = None  # local address to connect from, e.g. 127.0.0.7
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)
    extra_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        self.scheme, self.host = parts.scheme, parts.hostname or "localhost"
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.origin = f"{self.scheme}://{parts.netloc}"
        self._conn: http.client.HTTPConnection | None = None
        self._ctx = ssl.create_default_context(cafile=self.ca) if self.scheme == "https" else None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            src = (self.source, 0) if self.source else None
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self._ctx, source_address=src
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout, source_address=src
                )
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        hdrs = {"Host": f"{self.host}:{self.port}", "User-Agent": "wuye-stack-client", **self.extra_headers}
        body: bytes | None = None
        if method == "POST":
            hdrs["Origin"] = self.origin
            hdrs["Referer"] = self.origin + path
            if "csrftoken" in self.cookies:
                hdrs["X-CSRFToken"] = self.cookies["csrftoken"]
            if files:
                boundary = "----wuye" + uuid.uuid4().hex
                body = _multipart(data or {}, files, boundary)
                hdrs["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            else:
                body = urlencode(data or {}).encode()
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        started = time.monotonic()
        # a kept-alive connection the server closed in the meantime: one fresh try, before anything was sent
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                payload = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
            except BaseException:
                self.close()
                raise
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        if resp.headers.get("Connection", "").lower() == "close":
            self.close()
        return Response(resp.status, resp.headers, payload, time.monotonic() - started)

    def get(self, path: str, **kw: object) -> Response:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, str], **kw: object) -> Response:
        if "csrfmiddlewaretoken" not in data and "csrftoken" in self.cookies:
            data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        return self.request("POST", path, data=data, **kw)  # type: ignore[arg-type]


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]], boundary: str) -> bytes:
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    for k, (name, content, ctype) in files.items():
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return out + f"--{boundary}--\r\n".encode()


def hidden(body: str, name: str) -> str:
    """The value of a form field `name` (hidden input) in an HTML page, or ""."""
    for tag in re.findall(r"<input[^>]*>", body):
        if re.search(rf'name="{re.escape(name)}"', tag):
            found = re.search(r'value="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return ""


def login_staff(s: Session, username: str, password: str, totp_secret: str | None) -> Response:
    """Password, then (bureau staff) the TOTP code of the current 30-second step; a step already used by this
    account (a replay) is refused by the app, so on refusal wait for the next step and try once more."""
    s.get("/accounts/login/")
    r = s.post("/accounts/login/", {"username": username, "password": password})
    if r.status != 302:
        raise RuntimeError(f"login {username}: password step answered {r.status}")
    if "/accounts/login/code/" not in r.location:
        return r
    import sys

    sys.path.insert(0, str(ROOT))
    from wuye.accounts import totp  # the same algorithm as the server (RFC 6238)

    assert totp_secret, f"{username} has a second factor but no secret was given"
    for _ in range(2):
        s.get("/accounts/login/code/")
        r = s.post("/accounts/login/code/", {"code": totp.code_at(totp_secret, totp.current_step())})
        if r.status == 302:
            return r
        time.sleep(30 - time.time() % 30 + 0.5)
    raise RuntimeError(f"login {username}: TOTP step answered {r.status}")
