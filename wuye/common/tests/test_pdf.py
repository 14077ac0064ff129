import io

from reportlab.pdfgen import canvas

from wuye.common.pdf import cjk_font, pdf_styles


def test_chinese_text_is_drawn_with_an_embedded_truetype_font():
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(cjk_font(), 12)
    c.drawString(72, 720, "钟山县物业服务监管平台")
    c.save()
    data = buf.getvalue()
    assert b"/FontFile2" in data  # the glyphs travel with the file
    assert b"STSong" not in data
    assert len(data) < 200_000  # a subset, not the whole 10 MB font


def test_every_style_uses_the_embedded_font():
    assert {s.fontName for s in pdf_styles().values()} == {cjk_font()}
