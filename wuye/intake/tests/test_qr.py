import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wuye.cases.services import case_create_from_lead
from wuye.intake import photos as photos_mod
from wuye.intake.models import Lead, LeadAttachment, LeadStatus
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor

from .conftest import PDF_BYTES, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _post(client, estate, **extra):
    data = {
        "text": "3栋电梯一周停了三次，老人上下楼困难",
        "category": "3.1",
        "idem": "k" * 32,
        "name": "张女士",
        "phone": "13812345678",
    }
    data.update(extra)
    return client.post(reverse("intake:qr_form", args=[estate.code]), data)


def test_form_page_is_small_and_works_without_javascript(client, estate):
    r = client.get(reverse("intake:qr_form", args=[estate.code]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "阳光花园" in html and "<script" not in html
    assert len(r.content) < 60 * 1024
    r2 = client.post(
        reverse("intake:qr_form", args=[estate.code]), {"step": "start", "text": "电梯坏了", "category": ""}
    )
    assert r2.status_code == 200 and 'type="file"' in r2.content.decode()
    assert len(r2.content) < 60 * 1024


def test_unknown_estate_is_404(client, db):
    assert client.get("/q/NOPE/").status_code == 404


def test_submission_creates_lead_with_resized_photo_and_tracking_code(client, estate):
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")
    r = _post(client, estate, photos=[photo])
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert r["Location"].startswith(f"/track/{lead.tracking_code}/")
    assert lead.channel == "qr" and lead.estate == estate and lead.category_hint == "3.1"
    assert lead.complainant_phone == "13812345678"
    att = LeadAttachment.objects.get(lead=lead)
    with Image.open(att.file.path) as img:
        assert max(img.size) <= photos_mod.MAX_EDGE
        assert not img.getexif()  # EXIF (and GPS) stripped
    page = client.get(r["Location"])
    assert lead.tracking_code in page.content.decode()


def test_retried_submission_with_same_key_creates_one_lead(client, estate):
    first = _post(client, estate)
    second = _post(client, estate)
    assert Lead.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_anonymous_submission_keeps_no_contact(client, estate):
    _post(client, estate, anonymous="on")
    lead = Lead.objects.get()
    assert lead.anonymous and lead.complainant_name == "" and lead.complainant_phone == ""


def test_pdf_renamed_jpg_is_refused_and_nothing_is_saved(client, estate):
    fake = SimpleUploadedFile("photo.jpg", PDF_BYTES, content_type="image/jpeg")
    r = _post(client, estate, photos=[fake])
    assert r.status_code == 400
    assert "PDF" in r.content.decode() and "照片" in r.content.decode()
    assert Lead.objects.count() == 0 and LeadAttachment.objects.count() == 0


def test_oversized_photo_is_refused(client, estate, monkeypatch):
    monkeypatch.setattr(photos_mod, "PHOTO_MAX_BYTES", 50_000)
    big = SimpleUploadedFile(
        "big.jpg", jpeg_bytes(size=(1200, 1200)) + b"\0" * 60_000, content_type="image/jpeg"
    )
    r = _post(client, estate, photos=[big])
    assert r.status_code == 400 and "超过" in r.content.decode()
    assert Lead.objects.count() == 0


def test_more_than_six_photos_is_refused(client, estate):
    files = [SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(7)]
    r = _post(client, estate, photos=files)
    assert r.status_code == 400 and "最多上传 6 张" in r.content.decode()
    assert Lead.objects.count() == 0


def test_empty_text_and_bad_phone_are_explained(client, estate):
    r = _post(client, estate, text="  ")
    assert r.status_code == 400 and "遇到了什么问题" in r.content.decode()
    r = _post(client, estate, phone="abc", idem="b" * 32)
    assert r.status_code == 400 and "电话号码" in r.content.decode()
    assert Lead.objects.count() == 0


def test_look_alike_open_cases_are_offered_and_joining_adds_a_report(client, estate, task_force):
    first = lead_create(
        actor=PublicActor("phone"), channel="phone", text="3栋电梯经常停运，困人，维修不及时", estate=estate
    ).lead
    case = case_create_from_lead(actor=task_force, lead=first, category="3.1")
    r = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"step": "start", "text": "3栋电梯又停运了，经常困人", "category": ""},
    )
    html = r.content.decode()
    assert "是同一个问题" in html and case.number in html
    key = re.search(r'name="idem" value="([0-9a-f]+)"', html).group(1)
    j = client.post(
        reverse("intake:qr_join", args=[estate.code]),
        {"case": case.number, "idem": key, "anonymous": "on", "text": "3栋电梯又停运了，经常困人"},
    )
    assert j.status_code == 302
    joined = Lead.objects.exclude(pk=first.pk).get()
    assert joined.case == case and joined.status == LeadStatus.MERGED and joined.channel == "qr"
    case.refresh_from_db()
    assert case.report_count == 2
    # the same click again (retry) does not add a third report
    client.post(
        reverse("intake:qr_join", args=[estate.code]), {"case": case.number, "idem": key, "text": "又停了"}
    )
    assert Lead.objects.count() == 2


def test_join_refuses_a_case_of_another_estate(client, estate, task_force, company):
    from wuye.testing import make_estate

    other = make_estate(company=company)
    lead = lead_create(actor=PublicActor("phone"), channel="phone", text="电梯停运", estate=other).lead
    case = case_create_from_lead(actor=task_force, lead=lead, category="3.1")
    r = client.post(
        reverse("intake:qr_join", args=[estate.code]),
        {"case": case.number, "idem": "x" * 20, "text": "电梯停运"},
    )
    assert r.status_code == 404
    assert Lead.objects.count() == 1


def test_burst_is_rate_limited_per_client_and_other_clients_still_served(client, estate, settings):
    settings.WUYE = {**settings.WUYE, "INTAKE_RATE_LIMITS": {"qr_submit": (5, 60)}}
    codes = [_post(client, estate, idem=f"burst{i:08d}").status_code for i in range(8)]
    assert codes[:5] == [302] * 5 and codes[5:] == [429] * 3
    assert Lead.objects.count() == 5
    limited = _post(client, estate, idem="burst99999999")
    assert "操作过于频繁" in limited.content.decode()
    other = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "垃圾没人清理", "idem": "other0000001"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


def test_poster_pdf_is_a4_with_estate(client, estate):
    r = client.get(reverse("intake:qr_poster", args=[estate.code]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and re.search(rb"/MediaBox \[ ?0 0 595\.27\d* 841\.88\d*", r.content)


def test_town_poster_zip_is_for_bureau_only(client, estate, task_force, company_staff):
    import zipfile

    from wuye.testing import login

    url = reverse("intake:town_posters", args=[estate.town.code])
    login(client, company_staff)
    assert client.get(url).status_code == 403
    login(client, task_force)
    r = client.get(url)
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any(estate.code in n for n in names)


def test_look_alike_cases_show_photos_without_a_query_per_case(
    client, estate, task_force, django_assert_max_num_queries
):
    from django.core.files.base import ContentFile

    for n, text in enumerate(["3栋电梯经常停运，困人", "3号楼电梯经常停运，困人", "三栋电梯经常停运，困人"]):
        lead = lead_create(actor=PublicActor("phone"), channel="phone", text=text, estate=estate).lead
        case_create_from_lead(actor=task_force, lead=lead, category="3.1")
        if n == 0:
            att = LeadAttachment(lead=lead, original_name="a.jpg", content_type="image/jpeg", size=3)
            att.file.save("a.jpg", ContentFile(b"abc"), save=True)
    url = reverse("intake:qr_form", args=[estate.code])
    params = {"step": "start", "text": "3栋电梯又停运了，经常困人", "category": ""}
    client.post(url, params)  # warm the estate cache and sessions
    with django_assert_max_num_queries(6):  # a constant: no query per case
        html = client.post(url, params).content.decode()
    assert html.count("有照片") == 1 and html.count("人次反映") == 3
