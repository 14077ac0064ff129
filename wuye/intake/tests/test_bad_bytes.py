"""Bad bytes in text: control characters are a 400 naming the field, never a 500 (NUL is one on PostgreSQL);
bidi overrides are dropped from what others will read."""

import pytest
from django.urls import reverse

from wuye.intake.models import Lead, Open311Client
from wuye.kernel.actors import SystemActor

pytestmark = pytest.mark.django_db
REQUESTS = "/open311/v2/requests.json"


@pytest.fixture
def api_client(db):
    return Open311Client.objects.create(name="市民通", api_key="k-123456")


def _open311(client, **extra):
    data = {
        "api_key": "k-123456",
        "service_code": "3.1",
        "description": "电梯困人",
        "attribute[estate_code]": "YGHY",
        "email": "w@example.com",
        "media_url": "https://img.example/1.jpg",
    }
    data.update(extra)
    return client.post(REQUESTS, data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "电梯\x00困人"),
        ("attribute[estate_code]", "YG\x00HY"),
        ("api_key", "k-12\x003456"),
        ("address_string", "3栋\x1b[31m"),
        ("first_name", "秀\x7f英"),
    ],
)
def test_open311_control_character_in_any_field_is_a_400_naming_it(client, estate, api_client, field, value):
    r = _open311(client, **{field: value})
    assert r.status_code == 400, r.content
    description = r.json()[0]["description"]
    assert field in description and "不允许" in description
    assert not Lead.objects.exists()


def test_open311_keeps_tabs_and_line_breaks_in_the_description(client, estate, api_client):
    r = _open311(client, description="第一行\r\n第二行\t完")
    assert r.status_code == 201
    assert "第二行" in Lead.objects.get().text


@pytest.mark.parametrize(
    "email", ["w@example.com\r\nBcc: all@example.com", "w@example.com\nx", "not-an-email", "a@b@c"]
)
def test_open311_email_must_be_one_address_without_line_breaks(client, estate, api_client, email):
    r = _open311(client, email=email)
    assert r.status_code == 400
    assert "email" in r.json()[0]["description"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.example/a.jpg", "//x/a"],
)
def test_open311_media_url_must_be_http_or_https(client, estate, api_client, url):
    r = _open311(client, media_url=url)
    assert r.status_code == 400
    assert "media_url" in r.json()[0]["description"]


def test_open311_drops_bidi_overrides_from_texts_and_names(client, estate, api_client):
    r = _open311(client, description="电梯\u202e坏了\u202c", first_name="秀\u2066英", last_name="王")
    assert r.status_code == 201
    lead = Lead.objects.get()
    assert lead.text == "电梯坏了" and lead.complainant_name == "王秀英"


def test_qr_form_refuses_control_characters_and_keeps_the_text(client, estate):
    r = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "电梯\x00坏了\x01", "idem": "c" * 32, "name": "张\x08女士"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "不允许的" in html and "控制字符 U+0008" in html
    assert not Lead.objects.exists()


def test_qr_form_drops_bidi_overrides_from_the_name_and_text(client, estate):
    r = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "3栋\u202e电梯坏了", "idem": "d" * 32, "name": "\u202e张女士"},
    )
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert lead.text == "3栋电梯坏了" and lead.complainant_name == "张女士"


def test_12345_csv_with_nul_and_bidi_in_cells_imports_clean_text(estate):
    import csv
    import io

    from wuye.intake.hotline import hotline_import

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["工单编号", "受理时间", "诉求人", "联系电话", "诉求地址", "来电内容"])
    w.writerow(["NB0001", "2025.06.03 08:30", "赵\u202e女士", "", "阳光花园", "物业\x00私自\x1b出租车位"])
    report = hotline_import(
        actor=SystemActor("import_12345"), data=buf.getvalue().encode("utf-8"), filename="export.csv"
    )
    assert report.summary() == {"imported": 1, "duplicates": 0, "errors": []}
    lead = Lead.objects.get(source_ref="12345:NB0001")
    assert lead.text == "物业私自出租车位" and lead.complainant_name == "赵女士"
