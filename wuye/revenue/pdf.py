"""The printable statement (A4): every line, opening and closing balance, and a QR for the notice board.

Uses the embedded Noto Sans SC font of `wuye.common.pdf`: Chinese renders offline and in every viewer.
"""

import io

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wuye.common.dates import cn_date
from wuye.common.money import format_yuan
from wuye.common.pdf import cjk_font
from wuye.kernel.conf import county_setting

from .models import Direction, Disclosure
from .privacy import public_counterparty
from .selectors import Statement


def _font() -> str:
    return cjk_font()


def statement_pdf(st: Statement, d: Disclosure, *, public_url: str) -> bytes:
    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("s", fontName=font, fontSize=8, leading=10)
    estate = st.account.estate
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{estate.name}公共收益收支公示 {st.period.label}",
    )
    qr_png = io.BytesIO()
    segno.make(public_url, error="m").save(qr_png, kind="png", scale=4, border=1)
    qr_png.seek(0)
    head = Table(
        [
            [
                [
                    Paragraph(f"{estate.name}公共收益收支情况公示", title),
                    Paragraph(
                        f"公示期间：{st.period.label}（{cn_date(st.period.start)}—{cn_date(st.period.end)}）",
                        body,
                    ),
                    Paragraph(
                        f"公示日期：{cn_date(d.published_at)}　异议截止：{cn_date(d.objection_until)}", body
                    ),
                    Paragraph(
                        f"专门账户：{st.account.bank} {st.account.masked_number}（{st.account.get_holder_kind_display()}）",
                        body,
                    ),
                ],
                [
                    Image(qr_png, width=28 * mm, height=28 * mm),
                    Paragraph("扫码查看明细、凭证，提出异议", small),
                ],
            ]
        ],
        colWidths=[150 * mm, 32 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    summary = Table(
        [
            ["期初余额", "本期收入", "本期支出及分配", "期末余额", "明细条数"],
            [
                format_yuan(st.opening),
                format_yuan(st.income_total),
                format_yuan(st.outgo_total),
                format_yuan(st.closing),
                str(len(st.lines)),
            ],
        ],
        colWidths=[36 * mm] * 5,
    )
    summary.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    by_source = Table(
        [[label for label, _ in st.by_source], [format_yuan(v) for _, v in st.by_source]],
        colWidths=[30 * mm] * len(st.by_source),
    )
    by_source.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    rows = [["序号", "日期", "类型", "摘要", "对方单位", "收入", "支出", "余额", "凭证"]]
    for line in st.lines:
        e = line.entry
        note = e.description
        if e.resolution is not None:
            note += f"（依据：{e.resolution.title}）"
        if e.pk in st.later_reversals:
            note += f"（已于{cn_date(st.later_reversals[e.pk].occurred_on)}冲正）"
        rows.append(
            [
                str(e.number),
                e.occurred_on.strftime("%m-%d"),
                e.get_kind_display(),
                Paragraph(note, small),
                Paragraph(public_counterparty(e.counterparty), small),
                format_yuan(e.amount) if e.direction == Direction.IN else "",
                format_yuan(e.amount) if e.direction == Direction.OUT else "",
                format_yuan(line.balance),
                str(len(getattr(e, "voucher_list", []))),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "", Paragraph("本期无收支", small), "", "", "", "", ""])
    table = LongTable(
        rows,
        repeatRows=1,
        colWidths=[11 * mm, 12 * mm, 11 * mm, 52 * mm, 30 * mm, 19 * mm, 19 * mm, 20 * mm, 8 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("ALIGN", (5, 1), (7, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        head,
        Spacer(1, 4 * mm),
        summary,
        Spacer(1, 3 * mm),
        Paragraph("本期收入按来源（净额）", body),
        by_source,
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"明细摘要值（SHA-256）：{d.digest}", small),
        Paragraph(
            f"公共收益属于全体业主。对任何一笔有疑问，请在异议截止日前扫码提出，或向{county_setting('BUREAU_NAME')}"
            "反映（12345）。",
            body,
        ),
    ]
    doc.build(story)
    return buf.getvalue()
