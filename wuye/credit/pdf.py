"""A published notice (通报) as a PDF: the bureau's red heading, the number, the text, the items; the Chinese font
embedded (wuye.common.pdf), so it prints the same everywhere."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from wuye.common.dates import cn_date
from wuye.common.pdf import cjk_font, pdf_styles
from wuye.kernel.conf import county_setting

from .models import Notice


def notice_pdf(notice: Notice) -> bytes:
    styles = pdf_styles()
    font = cjk_font()
    bureau = str(county_setting("BUREAU_NAME"))
    heading = ParagraphStyle(
        "heading_red", fontName=font, fontSize=22, leading=30, alignment=1, textColor=colors.red
    )
    centre = ParagraphStyle("centre", parent=styles["body"], alignment=1, fontSize=11, leading=16)
    right = ParagraphStyle("right", parent=styles["body"], alignment=2, fontSize=11, leading=16)
    body = ParagraphStyle("notice_body", parent=styles["body"], fontSize=11, leading=18, firstLineIndent=22)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=notice.title,
        author=bureau,
    )
    story = [
        Paragraph(escape(f"{bureau}文件"), heading),
        Spacer(1, 4 * mm),
        Paragraph(escape(notice.number or "（草稿，发布时编号）"), centre),
        HRFlowable(width="100%", thickness=1.5, color=colors.red, spaceBefore=2 * mm, spaceAfter=6 * mm),
        Paragraph(escape(notice.title), styles["title"]),
        Spacer(1, 4 * mm),
    ]
    for para in notice.body.splitlines():
        if para.strip():
            story.append(Paragraph(escape(para.strip()), body))
    if notice.items:
        story.append(Paragraph("通报事项", styles["heading"]))
        for i, item in enumerate(notice.items, start=1):
            story.append(Paragraph(escape(f"{i}. {item['text']}"), body))
    story += [
        Spacer(1, 12 * mm),
        Paragraph(escape(bureau), right),
        Paragraph(escape(cn_date(notice.published_at)) if notice.published_at else "", right),
    ]
    doc.build(story)
    return buf.getvalue()
