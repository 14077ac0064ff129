"""The QR form's two steps are POSTs (the text never lands in a URL) and "是同一个问题" keeps the resident's report."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wuye.cases.services import case_create_from_lead
from wuye.intake.matching import building_of
from wuye.intake.models import Lead, LeadAttachment, LeadStatus
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

TEXT = "3栋电梯又停运了，困了人半小时"


def _open_case(estate, task_force, text):
    lead = lead_create(actor=PublicActor("phone"), channel="phone", text=text, estate=estate).lead
    return case_create_from_lead(actor=task_force, lead=lead, category="3.1")


def _start(client, estate, text=TEXT, **extra):
    url = reverse("intake:qr_form", args=[estate.code])
    return client.post(url, {"step": "start", "text": text, "category": "", **extra}, follow=True)


# --- item 7: step 1 is a POST -----------------------------------------------------------------------------------


def test_step_one_is_a_post_and_the_text_never_lands_in_a_url(client, estate):
    page = client.get(reverse("intake:qr_form", args=[estate.code])).content.decode()
    step1 = next(chunk for chunk in page.split("<form")[1:] if 'name="text"' in chunk)
    assert step1.startswith(' method="post"') and "csrfmiddlewaretoken" in step1
    r = _start(client, estate)
    assert r.status_code == 200 and r.redirect_chain == []  # step 2 rendered in place, no redirect
    html = r.content.decode()
    assert 'type="file"' in html and TEXT in html  # the text carried into step 2's form body
    assert "text=" not in r.request["QUERY_STRING"]
    # no URL on the page carries the text either
    assert not re.search(r'(href|action|formaction)="[^"]*(%E7%94%B5|电梯)', html)
    done = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": TEXT, "category": "", "idem": "a" * 32},
    )
    assert done.status_code == 302 and "电梯" not in done["Location"] and "%E7" not in done["Location"]
    assert Lead.objects.get().text == TEXT


def test_a_get_with_the_text_in_the_query_neither_prefills_nor_submits(client, estate):
    r = client.get(reverse("intake:qr_form", args=[estate.code]), {"text": TEXT, "category": "3.1"})
    html = r.content.decode()
    assert r.status_code == 200 and TEXT not in html and 'type="file"' not in html
    assert 'name="step" value="start"' in html  # a blank step 1
    assert Lead.objects.count() == 0


def test_step_one_without_text_is_explained_on_the_field(client, estate):
    r = client.post(reverse("intake:qr_form", args=[estate.code]), {"step": "start", "text": " "})
    assert r.status_code == 400 and 'name="step" value="start"' in r.content.decode()
    assert "field-error" in r.content.decode()
    assert Lead.objects.count() == 0


# --- item 6: "是同一个问题" ---------------------------------------------------------------------------------------


def test_building_is_parsed_in_the_ways_residents_write_it():
    assert building_of("3栋电梯坏了") == building_of("３号楼电梯") == building_of("三幢") == "3栋"
    assert building_of("十二栋门口") == "12栋" and building_of("小区门口垃圾") == ""


def test_new_problem_is_the_first_and_primary_button(client, estate, task_force):
    _open_case(estate, task_force, "3栋电梯经常停运，困人，维修不及时")
    html = _start(client, estate).content.decode()
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", html)
    assert "作为新问题提交" in buttons[0] and 'class="btn secondary"' not in buttons[0]
    assert any("是同一个问题" in b and "secondary" in b for b in buttons[1:])


def test_a_case_of_another_building_is_not_offered(client, estate, task_force):
    other = _open_case(estate, task_force, "2栋电梯经常停运，困人，维修不及时")
    html = _start(client, estate).content.decode()
    assert other.number not in html and "是同一个问题" not in html
    same = _open_case(estate, task_force, "3号楼电梯经常停运，困人，维修不及时")
    html = _start(client, estate).content.decode()
    assert same.number in html and other.number not in html
    # a text naming no building is never matched
    assert "是同一个问题" not in _start(client, estate, text="电梯又停运了，困了人").content.decode()


def test_look_alikes_show_category_building_and_a_neutral_title_not_others_words(client, estate, task_force):
    case = _open_case(estate, task_force, "3栋电梯经常停运，困人，物业经理王某态度恶劣")
    html = _start(client, estate).content.decode()
    assert case.number in html and "3栋 · 电梯经常坏、维修不及时、困人" in html
    assert "王某" not in html and "态度恶劣" not in html and case.title not in html


def test_joining_keeps_the_residents_text_photos_and_contact(client, estate, task_force):
    case = _open_case(estate, task_force, "3栋电梯经常停运，困人，维修不及时")
    photo = SimpleUploadedFile("lift.jpg", jpeg_bytes(size=(800, 600)), content_type="image/jpeg")
    r = client.post(
        reverse("intake:qr_join", args=[estate.code]),
        {
            "case": case.number,
            "idem": "j" * 32,
            "text": TEXT,
            "category": "3.1",
            "name": "李先生",
            "phone": "13900001111",
            "photos": [photo],
        },
    )
    assert r.status_code == 302 and "joined=1" in r["Location"]
    joined = Lead.objects.get(source_ref="qr:" + "j" * 32)
    assert joined.text == TEXT and joined.complainant_phone == "13900001111"
    assert joined.case == case and joined.status == LeadStatus.MERGED
    assert LeadAttachment.objects.filter(lead=joined).count() == 1
    case.refresh_from_db()
    assert case.report_count == 2
    # the task force sees the joined report's own words on the case page
    from wuye.testing import login

    login(client, task_force)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert TEXT in page


def test_joining_a_case_with_a_bad_photo_stores_nothing(client, estate, task_force):
    case = _open_case(estate, task_force, "3栋电梯经常停运，困人")
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    r = client.post(
        reverse("intake:qr_join", args=[estate.code]),
        {"case": case.number, "idem": "k" * 32, "text": TEXT, "photos": [fake]},
    )
    assert r.status_code == 400 and TEXT in r.content.decode()  # the resident's text is given back
    assert Lead.objects.count() == 1
