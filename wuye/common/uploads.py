"""Uploaded files are checked by content, not by name: images must decode, PDFs must look like PDFs."""

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from .errors import DomainError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    kind: str  # "image" | "pdf"


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
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        allowed = "图片或 PDF" if allow_pdf else "图片"
        raise DomainError(f"文件“{name}”不是有效的{allowed}（按内容检查）", field=field) from None
    if fmt not in IMAGE_FORMATS:
        raise DomainError(f"文件“{name}”的图片格式 {fmt} 不受支持（支持 JPEG、PNG、GIF、WEBP）", field=field)
    return CheckedFile(name=name, content_type=IMAGE_FORMATS[fmt], data=data, kind="image")
