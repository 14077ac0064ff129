"""Residents' photos: on the triage card and the case page, served only to a viewer who may see the lead."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wuye.accounts.models import Role
from wuye.cases.services import case_create_from_lead
from wuye.intake.models import Lead, LeadAttachment
from wuye.testing import login, make_company, make_estate, make_user

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(client, estate):
    photo = SimpleUploadedFile("IMG_1.jpg", jpeg_bytes(size=(1200, 900)), content_type="image/jpeg")
    r = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "3栋楼道堆满杂物，消防通道堵了", "category": "1.3", "idem": "p" * 32, "photos": [photo]},
    )
    assert r.status_code == 302
    lead = Lead.objects.get()
    return lead, LeadAttachment.objects.get(lead=lead)


def _url(att, thumb=False):
    return reverse("intake:lead_photo", args=[att.pk]) + ("?thumb=1" if thumb else "")


def test_task_force_sees_the_photo_on_the_triage_card_and_the_case_page(client, filed, task_force):
    lead, att = filed
    login(client, task_force)
    card = client.get(reverse("triage:queue")).content.decode()
    assert _url(att) in card and _url(att, thumb=True) in card  # thumbnail linking to the full photo
    full = client.get(_url(att))
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    thumb = client.get(_url(att, thumb=True))
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert max(img.size) <= 240
    case = case_create_from_lead(actor=task_force, lead=lead, category="1.3")
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert _url(att) in page


def test_the_company_of_the_case_sees_the_photo(client, filed, task_force, company_staff):
    lead, att = filed
    login(client, company_staff)
    assert client.get(_url(att)).status_code == 404  # not yet a case: the company sees no lead
    case = case_create_from_lead(actor=task_force, lead=lead, category="1.3")
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert _url(att) in page
    assert client.get(_url(att)).status_code == 200


def test_another_company_and_other_roles_cannot_open_the_photo(client, filed, task_force):
    lead, att = filed
    case_create_from_lead(actor=task_force, lead=lead, category="1.3")
    other = make_company()
    make_estate(company=other)
    login(client, make_user(Role.COMPANY_STAFF, company_id=other.pk))
    assert client.get(_url(att)).status_code == 404
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=lead.estate_id))
    assert client.get(_url(att)).status_code == 403


def test_anonymous_is_sent_to_the_login_page_and_there_is_no_public_url(client, filed):
    _, att = filed
    r = client.get(_url(att))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    track = client.get(reverse("intake:track_code", args=[att.lead.tracking_code])).content.decode()
    assert att.file.name not in track and "/media/" not in track


def test_the_admin_links_a_photo_through_its_scoped_route_never_a_media_url(client, filed):
    """Production serves no /media/: the admin's link is the photo route, which checks who asks."""
    lead, att = filed
    head = make_user(Role.BUREAU_ADMIN)
    head.is_staff = head.is_superuser = True  # the office head of a one-county deployment keeps the admin
    head.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(head, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("admin:intake_lead_change", args=[lead.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{_url(att)}"' in html and "/media/" not in html
    assert client.get(_url(att)).status_code == 200
