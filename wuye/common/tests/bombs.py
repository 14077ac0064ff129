"""Crafted hostile files for the upload tests: tiny on the wire, huge when decoded."""

import io
import struct
import zipfile
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header whose IHDR claims width×height 8-bit RGB, with a token IDAT (under 100 bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def xlsx_bomb(*, inflated_mb: int = 64) -> bytes:
    """A workbook whose sheet inflates to `inflated_mb` MB of identical rows from a few tens of KB."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["工单编号", "来电时间", "诉求内容"])
    buf = io.BytesIO()
    wb.save(buf)
    row = "<row>" + '<c t="inlineStr"><is><t>AAAAAAAA</t></is></c>' * 50 + "</row>"
    rows = inflated_mb * 1024 * 1024 // len(row)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace('ref="A1:C1"', f'ref="A1:AX{rows}"')  # a truthful dimension
                head, _, tail = text.partition("<sheetData>")
                _, _, tail = tail.partition("</sheetData>")
                body = head + "<sheetData>" + row * rows + "</sheetData>" + tail
                data = body.encode()
            dst.writestr(info.filename, data)
    return out.getvalue()
