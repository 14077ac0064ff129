"""Printable A4 QR posters (扫码即办) per estate, and a zip of a town's posters. Chinese renders offline with
the embedded Noto Sans SC font of `wuye.common.pdf` (no download; renders in every viewer)."""

import io
import zipfile

import segno
from django.urls import reverse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from wuye.common.pdf import cjk_font
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate, Town

INSTRUCTIONS = [
    "1. 用微信或手机相机扫描上方二维码",
    "2. 写下遇到的问题，可拍照上传（最多 6 张）",
    "3. 提交后记下查询码，随时查看办理进度",
    "不用注册，不用下载软件；可以匿名反映。",
]
TOPICS = "物业服务不到位、公共收益不公开、电梯故障、停车难、拒不移交、维修资金问题"


def _font() -> str:
    return cjk_font()


def qr_url(estate: Estate) -> str:
    return county_setting("PUBLIC_BASE_URL").rstrip("/") + reverse("intake:qr_form", args=[estate.code])


def _draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m", micro=False)
    matrix = list(qr.matrix_iter(scale=1, border=2))
    n = len(matrix)
    cell = size / n
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _centered(c: canvas.Canvas, text: str, y: float, size: float) -> None:
    c.setFont(_font(), size)
    c.drawCentredString(A4[0] / 2, y, text)


def _draw_page(c: canvas.Canvas, estate: Estate) -> None:
    width, height = A4
    bureau = county_setting("BUREAU_NAME")
    c.setTitle(f"{estate.name} 扫码即办二维码")
    c.setFillColorRGB(0.043, 0.31, 0.612)
    c.rect(0, height - 45 * mm, width, 45 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    _centered(c, "物业问题 扫码即办", height - 24 * mm, 34)
    _centered(c, bureau, height - 37 * mm, 16)
    c.setFillColorRGB(0, 0, 0)
    _centered(c, estate.name, height - 65 * mm, 30)
    if estate.town_id:
        _centered(c, f"{estate.town.name}　小区编码 {estate.code}", height - 75 * mm, 13)
    size = 105 * mm
    _draw_qr(c, qr_url(estate), (width - size) / 2, height - 85 * mm - size, size)
    y = height - 85 * mm - size - 12 * mm
    c.setFont(_font(), 13)
    c.drawCentredString(width / 2, y, TOPICS)
    y -= 14 * mm
    c.setFont(_font(), 16)
    for line in INSTRUCTIONS:
        c.drawString(35 * mm, y, line)
        y -= 9 * mm
    c.setFont(_font(), 11)
    c.drawCentredString(width / 2, 22 * mm, f"网址：{qr_url(estate)}")
    c.drawCentredString(width / 2, 15 * mm, f"{bureau}物业服务整治专班　也可拨打 12345 政务服务便民热线")


def poster_pdf(estate: Estate) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    _draw_page(c, estate)
    c.showPage()
    c.save()
    return buf.getvalue()


def town_posters_zip(town: Town) -> tuple[bytes, int]:
    estates = list(Estate.objects.filter(town=town).select_related("town").order_by("code"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for estate in estates:
            zf.writestr(f"{estate.code}-{estate.name}.pdf", poster_pdf(estate))
    return buf.getvalue(), len(estates)
