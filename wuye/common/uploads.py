"""Uploaded files are checked by content, not by name: images must decode, PDFs must look like PDFs.

Decompression bombs are refused from the headers alone, before anything is inflated: an image whose declared
width × height exceeds `WUYE["UPLOAD_MAX_PIXELS"]` (Pillow's `Image.open` reads only the header), and an .xlsx
whose zip directory declares more than `WUYE["XLSX_MAX_UNCOMPRESSED_BYTES"]` in all or a member inflating more
than `WUYE["XLSX_MAX_RATIO"]` times (zipfile never inflates a member past its declared size: a lying entry fails
its CRC instead).
"""

import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from wuye.kernel.conf import county_setting

from .errors import DomainError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_XLSX_MAX_MEMBERS = 2000


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    kind: str  # "image" | "pdf"


def max_pixels() -> int:
    return int(county_setting("UPLOAD_MAX_PIXELS"))


def check_image_size(img: Image.Image, *, name: str, field: str) -> None:
    """Refuse an image whose header declares more pixels than the limit (before anything is decoded)."""
    width, height = img.size
    limit = max_pixels()
    if width * height > limit:
        raise DomainError(
            f"图片“{name}”尺寸过大（{width}×{height} 像素，上限 {limit // 1_000_000} 百万像素），请缩小后再上传",
            field=field,
        )


def check_upload(
    upload: UploadedFile,
    *,
    field: str = "附件",
    allow_pdf: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckedFile:
    name = upload.name or "file"
    if upload.size is not None and upload.size > max_bytes:
        raise DomainError(f"文件“{name}”超过 {max_bytes // (1024 * 1024)} MB 上限", field=field)
    data = upload.read()
    if len(data) > max_bytes:
        raise DomainError(f"文件“{name}”超过 {max_bytes // (1024 * 1024)} MB 上限", field=field)
    if not data:
        raise DomainError(f"文件“{name}”是空文件", field=field)
    if data[:5] == b"%PDF-":
        if not allow_pdf:
            raise DomainError(f"文件“{name}”是 PDF，这里只接受图片", field=field)
        return CheckedFile(name=name, content_type="application/pdf", data=data, kind="pdf")
    allowed = "图片或 PDF" if allow_pdf else "图片"
    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            fmt = img.format or ""
            check_image_size(img, name=name, field=field)
            img.verify()
    except (
        Image.DecompressionBombError
    ):  # Pillow's own ceiling (above ours) refused it in open(): never a 500
        raise DomainError(
            f"图片“{name}”尺寸过大（超过 {max_pixels() // 1_000_000} 百万像素上限），请缩小后再上传",
            field=field,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(f"文件“{name}”不是有效的{allowed}（按内容检查）", field=field) from None
    if fmt not in IMAGE_FORMATS:
        raise DomainError(f"文件“{name}”的图片格式 {fmt} 不受支持（支持 JPEG、PNG、GIF、WEBP）", field=field)
    return CheckedFile(name=name, content_type=IMAGE_FORMATS[fmt], data=data, kind="image")


def check_xlsx(data: bytes, *, field: str = "文件") -> None:
    """Refuse a zip bomb before openpyxl inflates anything: declared sizes and ratios from the central directory."""
    max_total = int(county_setting("XLSX_MAX_UNCOMPRESSED_BYTES"))
    max_ratio = int(county_setting("XLSX_MAX_RATIO"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: nothing to inflate, the reader refuses it in its own words
    if len(members) > DEFAULT_XLSX_MAX_MEMBERS:
        raise DomainError(f"Excel 文件包含 {len(members)} 个部件，超过上限，请检查文件", field=field)
    total = sum(m.file_size for m in members)
    if total > max_total:
        raise DomainError(
            f"Excel 文件解压后达 {total // (1024 * 1024)} MB，超过 {max_total // (1024 * 1024)} MB 上限，请分批导入",
            field=field,
        )
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > max_ratio * max(m.compress_size, 1):
            raise DomainError(
                f"Excel 文件的压缩比异常（{m.file_size // max(m.compress_size, 1)} 倍），疑似压缩炸弹，已拒绝",
                field=field,
            )
