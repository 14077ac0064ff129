import io

import pytest
from django.core.cache import cache
from PIL import Image

from wuye.accounts.models import Role
from wuye.testing import make_company, make_estate, make_user


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def company(db):
    return make_company()


@pytest.fixture
def estate(db, company):
    return make_estate(company=company, name="阳光花园", code="YGHY")


@pytest.fixture
def task_force(db):
    return make_user(Role.TASK_FORCE)


@pytest.fixture
def company_staff(db, company):
    return make_user(Role.COMPANY_STAFF, company_id=company.pk)


def jpeg_bytes(size=(2400, 1800), color=(200, 30, 30), exif=True) -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "PhoneMaker"  # Make
        ex[0x0131] = "CameraApp 1.0"  # Software
        img.save(buf, "JPEG", exif=ex)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def png_bytes(size=(64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(buf, "PNG")
    return buf.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
