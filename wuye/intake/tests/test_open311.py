import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from wuye.cases import services as cases
from wuye.intake import services as intake_services
from wuye.intake.models import Lead, Open311Client
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"


@pytest.fixture
def api_client(db):
    return Open311Client.objects.create(name="市民通", api_key="k-123456")


def _post(client, **extra):
    data = {
        "api_key": "k-123456",
        "service_code": "3.1",
        "description": "电梯困人，13812345678 王秀英反映",
        "attribute[estate_code]": "YGHY",
        "first_name": "秀英",
        "last_name": "王",
        "phone": "13812345678",
        "email": "w@example.com",
        "media_url": "https://img.example/1.jpg",
    }
    data.update(extra)
    return client.post(BASE + "requests.json", data)


def test_discovery_and_services_list_the_taxonomy_grouped(client, db):
    d = client.get(BASE + "discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(BASE + "services.json").json()
    assert len(services) == 14
    lift = next(s for s in services if s["service_code"] == "3.1")
    assert lift["group"] == "住宅老旧电梯更新不及时" and lift["service_name"] == "未履行电梯安全管理职责"
    xml = ET.fromstring(client.get(BASE + "services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == 14
    definition = client.get(BASE + "services/3.1.json").json()
    assert definition["attributes"][0]["code"] == "estate_code"
    missing = client.get(BASE + "services/9.9.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_creates_a_lead_and_reads_back_without_contact(client, estate, api_client):
    r = _post(client)
    assert r.status_code == 201
    body = r.json()[0]
    lead = Lead.objects.get(pk=body["service_request_id"])
    assert body["token"] == lead.tracking_code
    assert lead.channel == "web" and lead.estate == estate and lead.complainant_phone == "13812345678"
    assert lead.complainant_email == "w@example.com" and lead.evidence["media_url"].endswith("1.jpg")
    one = client.get(BASE + f"requests/{lead.pk}.json")
    text = one.content.decode()
    for secret in ("13812345678", "w@example.com", "王秀英"):
        assert secret not in text
    item = one.json()[0]
    assert item["status"] == "open" and item["service_code"] == "3.1" and item["address_id"] == "YGHY"
    assert item["requested_datetime"].endswith("+08:00")
    token = client.get(BASE + f"tokens/{lead.tracking_code}.json").json()[0]
    assert token["service_request_id"] == str(lead.pk)
    xml = client.get(BASE + f"requests/{lead.pk}.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.find("request/status").text == "open" and "13812345678" not in xml.content.decode()


def test_post_errors(client, estate, api_client):
    bad_key = _post(client, api_key="nope")
    assert bad_key.status_code == 403 and bad_key.json()[0]["code"] == 403
    assert _post(client, service_code="99").status_code == 400
    assert _post(client, description=" ").status_code == 400
    no_where = _post(client, **{"attribute[estate_code]": ""})
    assert no_where.status_code == 400 and "address_string" in no_where.json()[0]["description"]
    assert _post(client, **{"attribute[estate_code]": "NOPE"}).status_code == 400
    xml_err = client.post(BASE + "requests.xml", {"api_key": "nope"})
    assert xml_err.status_code == 403 and ET.fromstring(xml_err.content).find("error/code").text == "403"
    assert Lead.objects.count() == 0


def test_post_by_address_string_flags_fuzzy_match(client, estate, api_client):
    r = _post(client, **{"attribute[estate_code]": "", "address_string": "钟山镇不存在路 阳光家园 5栋"})
    lead = Lead.objects.get(pk=r.json()[0]["service_request_id"])
    assert lead.estate == estate and lead.estate_needs_confirmation


def test_requests_filters_and_closed_status(client, estate, api_client, task_force):
    a = lead_create(
        actor=PublicActor("phone"), channel="qr", text="垃圾堆放", estate=estate, category_hint="1.1"
    ).lead
    b = lead_create(
        actor=PublicActor("phone"), channel="phone", text="车位被占", estate=estate, category_hint="4"
    ).lead
    intake_services.lead_reject(actor=task_force, lead=b, reason="属于交警管理")
    all_ids = {r["service_request_id"] for r in client.get(BASE + "requests.json").json()}
    assert all_ids == {str(a.pk), str(b.pk)}
    closed = client.get(BASE + "requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [str(b.pk)]
    assert "属于交警管理" in closed[0]["status_notes"]
    by_code = client.get(BASE + "requests.json", {"service_code": "1.1"}).json()
    assert [r["service_request_id"] for r in by_code] == [str(a.pk)]
    by_id = client.get(BASE + "requests.json", {"service_request_id": f"{a.pk},{b.pk}"}).json()
    assert len(by_id) == 2
    assert client.get(BASE + "requests.json", {"start_date": "2099-01-01T00:00:00+08:00"}).json() == []
    assert client.get(BASE + "requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(BASE + "requests.json", {"status": "pending"}).status_code == 400
    assert client.get(BASE + "requests/999999.json").status_code == 404


def test_open311_reads_are_rate_limited(client, db, settings):
    settings.WUYE = {**settings.WUYE, "INTAKE_RATE_LIMITS": {"open311_read": (3, 60)}}
    codes = [client.get(BASE + "services.json").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get(BASE + "services.json", REMOTE_ADDR="10.1.1.1").status_code == 200
    assert reverse("intake:open311:requests", kwargs={"fmt": "json"}) == BASE + "requests.json"


def test_request_list_runs_a_constant_number_of_queries(
    client, estate, task_force, django_assert_max_num_queries
):

    for i in range(3):
        lead = lead_create(
            actor=PublicActor("phone"), channel="qr", text=f"问题{i}", estate=estate, category_hint="1.1"
        ).lead
        if i == 0:
            cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    client.get(BASE + "requests.json")  # warm caches (content types, sessions)
    with django_assert_max_num_queries(3):
        small = client.get(BASE + "requests.json").json()
    for i in range(10):
        lead_create(actor=PublicActor("phone"), channel="qr", text=f"更多问题{i}", estate=estate)
    with django_assert_max_num_queries(3):
        big = client.get(BASE + "requests.json").json()
    assert len(small) == 3 and len(big) == 13


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30T10:00:00", "2024-01-01T25:00:00"])
def test_impossible_date_is_a_400_naming_the_parameter(client, db, value):
    r = client.get(BASE + "requests.json", {"start_date": value})
    assert r.status_code == 400
    assert "start_date" in r.json()[0]["description"]


@pytest.mark.django_db(transaction=True)
def test_post_lead_is_whole_when_the_created_hooks_run(client, estate, api_client, settings):
    """Outside a test transaction, as in production: the hooks run right after the lead's transaction commits."""
    from wuye.intake import hooks

    settings.WUYE = {**settings.WUYE, "JOBS": "inline"}
    seen = []

    def record(lead_id):
        lead = Lead.objects.get(pk=lead_id)
        seen.append((lead.estate_needs_confirmation, lead.address, lead.complainant_email))

    hooks.register_on_lead_created(record)
    try:
        r = _post(client, **{"attribute[estate_code]": "", "address_string": "钟山镇不存在路 阳光家园 5栋"})
    finally:
        hooks._on_lead_created.remove(record)
    assert r.status_code == 201
    assert seen == [(True, "钟山镇不存在路 阳光家园 5栋", "w@example.com")]


def test_post_with_only_an_email_keeps_the_email(client, estate, api_client):
    r = _post(client, first_name="", last_name="", phone="")
    lead = Lead.objects.get(pk=r.json()[0]["service_request_id"])
    assert lead.complainant_email == "w@example.com"
