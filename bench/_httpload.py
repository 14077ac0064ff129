"""A small HTTP/1.1 load generator for the benchmarks: N client connections spread over P processes (asyncio).

Closed loop (rate 0): each client sends again as soon as it has its answer, so the server runs at capacity and the
latency is mostly queueing (Little's law: mean latency = clients / throughput). Paced (rate R req/s in total): each
client sends on a fixed schedule, and a request's latency counts from the moment it was *scheduled*, not from when
it could be sent: a server that falls behind is charged for the wait (no coordinated omission, as in wrk2).

The clients post the QR form's fields (multipart, as the form's enctype), with a CSRF token and cookie fetched once
per client from `form_path`; every 10th request re-sends the previous idempotency key (a resident's retry), and the
keys that got their 302 are returned so the caller can count the rows in the database.
Several processes, not threads in one: one Python process cannot drive 50 connections without its own GIL queueing
showing up as server latency.
"""

import asyncio
import multiprocessing
import re
import statistics
import time
import uuid
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 30.0


@dataclass
class Result:
    path: str
    clients: int
    seconds: float
    rate: float  # offered req/s in total; 0 = closed loop
    tag: str = ""  # in every idempotency key of this run: qr:b<tag>…
    latencies: list[float] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    requests: int = 0
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def line(self, label: str) -> str:
        offered = f"   offered {self.rate:6.1f}" if self.rate else ""
        return (
            f"{label:<30} {self.rps:7.1f} req/s   p50 {self.p50 * 1000:6.1f} ms   p99 {self.p99 * 1000:6.1f} ms   "
            f"requests {self.requests}   errors {self.errors}{offered}"
        )


def multipart(fields: dict[str, str], boundary: str) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode()


class _Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        except BaseException:
            self.close()
            raise
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _get(host: str, port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()


async def _client(n: int, spec: dict, out: dict) -> None:
    host, port = spec["host"], spec["port"]
    conn = _Conn(host, port)
    _, headers, body = await conn.request(_get(host, port, spec["form_path"]))
    token = re.search(rb'value="([^"]+)"', body).group(1).decode()
    cookie = headers["set-cookie"].split(";")[0]
    boundary = "----wuye" + uuid.uuid4().hex
    start, deadline, interval = spec["start"], spec["start"] + spec["seconds"], spec["interval"]
    next_at = start + interval * n / spec["clients"]  # paced clients spread evenly over one interval
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    i, previous = 0, None
    while True:
        if interval:
            scheduled = next_at
            next_at += interval
            if scheduled >= deadline:
                break
            pause = scheduled - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
        else:
            scheduled = time.monotonic()
            if scheduled >= deadline:
                break
        i += 1
        key = previous if (previous and i % 10 == 0) else f"b{spec['tag']}{n:03d}x{i:07d}"
        data = multipart(
            {
                "csrfmiddlewaretoken": token,
                "idem": key,
                "text": f"压测：{n} 号客户端第 {i} 次反映，3栋电梯停运",
                "category": "3.1",
            },
            boundary,
        )
        raw = (
            f"POST {spec['path']} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(data)}\r\n"
            f"Cookie: {cookie}\r\nReferer: http://{host}:{port}/\r\n\r\n"
        ).encode() + data
        try:
            status, _, _ = await asyncio.wait_for(conn.request(raw), REQUEST_TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            status = 0
        out["latencies"].append(time.monotonic() - scheduled)
        if status == 302:
            out["acked"].append(key)
            previous = key
        else:
            out["errors"] += 1
    conn.close()


def _process(spec: dict, clients: list[int]) -> dict:
    out: dict = {"latencies": [], "acked": [], "errors": 0}

    async def main() -> None:
        await asyncio.gather(*(_client(n, spec, out) for n in clients))

    asyncio.run(main())
    return out


def run(
    *,
    host: str,
    port: int,
    path: str,
    form_path: str,
    clients: int = 50,
    seconds: float = 30.0,
    rate: float = 0.0,
    processes: int = 2,
) -> Result:
    """Run the load; returns latencies (s), acknowledged keys, request and error counts."""
    spec = {
        "host": host,
        "port": port,
        "path": path,
        "form_path": form_path,
        "clients": clients,
        "seconds": seconds,
        "interval": clients / rate if rate else 0.0,
        "tag": uuid.uuid4().hex[:6],
        "start": time.monotonic() + 1.0 + 0.02 * clients,
    }  # every client has its token before the clock starts
    groups = [list(range(p, clients, processes)) for p in range(processes)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        parts = pool.starmap(_process, [(spec, g) for g in groups if g])
    result = Result(path=path, clients=clients, seconds=seconds, rate=rate, tag=spec["tag"])
    for part in parts:
        result.latencies.extend(part["latencies"])
        result.acked.update(part["acked"])
        result.requests += len(part["latencies"])
        result.errors += part["errors"]
    return result
