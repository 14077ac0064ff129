"""Photos from residents and inspectors: content-checked, resized server-side, EXIF (and GPS) stripped."""

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from wuye.common.errors import DomainError
from wuye.common.uploads import check_upload

MAX_PHOTOS = 6
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_EDGE = 1600


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    data: bytes


def process_photo(upload: UploadedFile, *, field: str = "照片") -> StoredFile:
    checked = check_upload(upload, field=field, allow_pdf=False, max_bytes=PHOTO_MAX_BYTES)
    try:
        with Image.open(io.BytesIO(checked.data)) as opened:
            opened.seek(0)
            # check_upload capped the declared pixels; decode no more than the target size needs: JPEG scales
            # down by 1/2..1/8 inside the decoder (draft), thumbnail() then reduces before resampling
            opened.draft("RGB", (MAX_EDGE, MAX_EDGE))
            opened.thumbnail((MAX_EDGE, MAX_EDGE), reducing_gap=2.0)
            img: Image.Image = ImageOps.exif_transpose(
                opened
            )  # the orientation the phone meant; EXIF dropped
            if img.mode not in ("RGB", "L"):
                background = Image.new("RGB", img.size, "white")
                rgba = img.convert("RGBA")
                background.paste(rgba, mask=rgba.split()[-1])
                img = background
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise DomainError(f"文件“{checked.name}”无法作为图片处理", field=field) from None
    stem = (checked.name.rsplit(".", 1)[0] or "photo")[:80]
    return StoredFile(name=f"{stem}.jpg", content_type="image/jpeg", data=out.getvalue())


def process_photos(uploads: list[UploadedFile], *, field: str = "照片") -> list[StoredFile]:
    uploads = [u for u in uploads if u and (u.size is None or u.size > 0)]
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(f"最多上传 {MAX_PHOTOS} 张照片", field=field)
    return [process_photo(u, field=field) for u in uploads]


def thumbnail(data: bytes, edge: int) -> bytes:
    """A small JPEG of a stored photo (stored photos are already checked, EXIF-free JPEGs)."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (edge, edge))
        img.thumbnail((edge, edge))
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=75)
    return out.getvalue()
