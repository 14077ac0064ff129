"""Decompression bombs against the upload paths: time and peak memory of each in a fresh process.

Run: `.venv/bin/python bench/upload_bombs.py` (no database needed). Each case runs in its own subprocess so the
peak RSS (ru_maxrss) is that case's alone. Cases:
- png12k: a PNG declaring 12000×12000 RGB whose IDAT really inflates to 432 MB (zeros), through process_photo
  (the QR form's path);
- png50k: a 57-byte PNG declaring 50000×50000 (header only), through process_photo;
- xlsx: an .xlsx whose sheet inflates from ~0.1 MB to ~80 MB (2 million identical cells), through the 12345
  import's reader and the registry import.
"""

import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png(width: int, height: int, *, inflate: bool) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    if inflate:
        comp = zlib.compressobj(9)
        row = b"\x00" * (1 + width * 3)
        body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    else:
        body = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def xlsx_bomb(rows: int = 40_000, cols: int = 50) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["工单编号", "来电时间", "诉求内容"])
    buf = io.BytesIO()
    wb.save(buf)
    cell = '<c t="inlineStr"><is><t>AAAAAAAA</t></is></c>'
    row = "<row>" + cell * cols + "</row>"
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = (
                    data.decode().replace('ref="A1:C1"', f'ref="A1:AX{rows}"').partition("<sheetData>")
                )
                _, _, tail = tail.partition("</sheetData>")
                data = (head + "<sheetData>" + row * rows + "</sheetData>" + tail).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def run_case(case: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.test")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    if case.startswith("png"):
        data = png(12000, 12000, inflate=True) if case == "png12k" else png(50000, 50000, inflate=False)
        from wuye.intake.photos import process_photo

        call = lambda: process_photo(SimpleUploadedFile("bomb.png", data))  # noqa: E731
    elif case == "xlsx-12345":
        data = xlsx_bomb()
        from wuye.intake.hotline import read_rows

        call = lambda: read_rows(data, "bomb.xlsx")  # noqa: E731
    else:
        data = xlsx_bomb()
        from wuye.common import uploads

        if hasattr(uploads, "check_xlsx"):
            call = lambda: uploads.check_xlsx(data, field="文件")  # noqa: E731
        else:  # before: what import_registry did first
            from openpyxl import load_workbook

            call = lambda: list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows())  # noqa: E731
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        call()
        outcome = "accepted"
    except Exception as exc:  # the point is to see what escapes
        outcome = f"{type(exc).__name__}: {exc}"[:120]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "case": case,
                "bytes": len(data),
                "seconds": round(seconds, 3),
                "peak_rss_mb": round(peak / 1024),
                "rss_growth_mb": round((peak - base_rss) / 1024),
                "outcome": outcome,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_case(sys.argv[1])
    else:
        for case in ("png50k", "png12k", "xlsx-12345", "xlsx-registry"):
            subprocess.run([sys.executable, __file__, case], check=False)
