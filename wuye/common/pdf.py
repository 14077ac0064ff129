"""PDFs in Chinese that render the same in every viewer: reportlab with an embedded TrueType font.

The font is Noto Sans SC (SIL Open Font License, `fonts/OFL.txt`), vendored from the npm package
`@expo-google-fonts/noto-sans-sc` 0.4.3 (`400Regular/NotoSansSC_400Regular.ttf`), so nothing is downloaded at run time.
reportlab embeds the subset of glyphs a document uses (`/FontFile2`), unlike its CID fonts (STSong-Light), which
leave the glyphs to the viewer and show boxes where the viewer has no Chinese font.
"""

from functools import cache
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "NotoSansSC"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Regular.ttf"


@cache
def cjk_font() -> str:
    """Register the embedded font once per process; returns the name to use as `fontName`."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME


def pdf_styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles every document uses, all in the embedded font."""
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1),
        "heading": ParagraphStyle(
            "heading", fontName=font, fontSize=12, leading=17, spaceBefore=6, spaceAfter=3
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=10),
        "table": ParagraphStyle("table", fontName=font, fontSize=8.5, leading=11),
    }
