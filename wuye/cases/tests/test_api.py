import pytest
from django.db import connection
from rest_framework.test import APIClient

from wuye.cases import services
from wuye.cases.models import Case, CaseStatus
from wuye.cases.selectors import case_public_timeline
from wuye.intake.models import Channel
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.testing import run_concurrently

from .conftest import World, future, png


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_api_walks_a_case_and_refuses_wrong_roles(world):
    tf, staff = client_for(world.tf), client_for(world.staff)
    r = tf.post(
        "/api/v1/cases/",
        {"estate": world.estate.code, "category": "2.2", "description": "擅自出租架空层"},
        format="json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    url = f"/api/v1/cases/{number}/transitions/"
    assert staff.post(url, {"action": "verify"}, format="json").status_code == 403
    assert tf.post(url, {"action": "accept", "reason": "x"}, format="json").status_code == 409
    assert tf.post(url, {"action": "verify"}, format="json").status_code == 200
    r = tf.post(
        url,
        {
            "action": "start_rectification",
            "target": "收回",
            "measures": "拆除隔断",
            "responsible": "赵总",
            "deadline": "2020-01-01",
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "deadline"
    r = tf.post(
        url,
        {
            "action": "start_rectification",
            "target": "收回",
            "measures": "拆除隔断",
            "responsible": "赵总",
            "deadline": future().isoformat(),
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    assert tf.post(url, {"action": "submit", "progress": "代交", "attachments": [png()]}).status_code == 403
    r = staff.post(url, {"action": "submit", "progress": "已拆除", "attachments": [png()]})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted" and r.json()["timeline"][-1]["attachments"] == ["photo.png"]
    assert (
        client_for(world.city).post(url, {"action": "accept", "reason": "好"}, format="json").status_code
        == 403
    )
    r = tf.post(url, {"action": "accept", "reason": "合格"}, format="json")
    assert r.json()["status"] == "accepted"
    assert Case.objects.get(number=number).status == CaseStatus.ACCEPTED


def test_api_list_is_scoped_and_hides_complainants(world):
    lead = lead_create(
        actor=PublicActor("phone"),
        channel=Channel.HOTLINE_12345,
        text="物业不公示收支",
        estate=world.estate,
        complainant_name="王五",
        complainant_phone="13700007777",
    ).lead
    case = services.case_create_from_lead(actor=world.tf, lead=lead, category="2.3")
    world.case(world.other_estate)
    r = client_for(world.staff).get("/api/v1/cases/")
    numbers = [row["number"] for row in r.json()["results"]]
    assert numbers == [case.number]
    detail = client_for(world.staff).get(f"/api/v1/cases/{case.number}/").content.decode()
    assert "王五" not in detail and "13700007777" not in detail and lead.tracking_code not in detail
    assert client_for(world.other_staff).get(f"/api/v1/cases/{case.number}/").status_code == 404
    tf_detail = client_for(world.tf).get(f"/api/v1/cases/{case.number}/").json()
    assert tf_detail["reports"][0]["complainant_phone"] == "13700007777"
    city = client_for(world.city).get(f"/api/v1/cases/{case.number}/").content.decode()
    assert "王五" not in city and "13700007777" not in city
    assert client_for(world.owner).get("/api/v1/cases/").status_code == 403
    assert (
        client_for(world.staff)
        .post(
            "/api/v1/cases/",
            {"estate": world.estate.code, "category": "1.1", "description": "x"},
            format="json",
        )
        .status_code
        == 403
    )


def test_api_filters(world):
    world.case(category="3.1", description="电梯")
    world.case(category="4", description="停车")
    r = client_for(world.tf).get("/api/v1/cases/", {"category": "4"})
    assert [x["description"] for x in r.json()["results"]] == ["停车"]
    assert r.json()["count"] == 1


def test_schema_lists_the_case_endpoints(world):
    c = client_for(world.tf)
    r = c.get("/api/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "/api/v1/cases/{number}/transitions/" in text


def test_public_timeline_has_no_notes_or_personal_data(world):
    lead = lead_create(
        actor=PublicActor("phone"),
        channel=Channel.QR,
        text="垃圾",
        estate=world.estate,
        complainant_name="赵六",
        complainant_phone="13600006666",
    ).lead
    case = services.case_create_from_lead(actor=world.tf, lead=lead, category="1.1")
    services.case_note_add(actor=world.tf, case=case, text="内部：反映人赵六情绪激动")
    services.case_verify(actor=world.tf, case=case)
    entries = case_public_timeline(case)
    assert [e["title"] for e in entries] == ["立案受理", "开始核查"]
    blob = repr(entries)
    assert "赵六" not in blob and "13600006666" not in blob and "内部" not in blob
    assert all(e["at"].tzinfo is not None for e in entries)


def test_tick_marks_overdue_once_and_lists_due_soon(world):
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command

    late = world.rectifying()
    soon = world.rectifying()
    Case.objects.filter(pk=late.pk).update(deadline=dt.date(2020, 1, 1))
    Case.objects.filter(pk=soon.pk).update(deadline=future(2))
    out = StringIO()
    call_command("tick", stdout=out)
    assert "新标记逾期 1 件" in out.getvalue() and soon.number in out.getvalue()
    assert world.company.name in out.getvalue()
    out2 = StringIO()
    call_command("tick", stdout=out2)
    assert "新标记逾期 0 件" in out2.getvalue()
    assert late.events.filter(kind="overdue").count() == 1


def test_revisit_sample_command_is_reproducible(world):
    from io import StringIO

    from django.core.management import call_command

    for _ in range(3):
        services.case_accept(actor=world.tf, case=world.submitted(), note="合格")
    a, b = StringIO(), StringIO()
    call_command("revisit_sample", "--per-estate", "2", "--seed", "5", stdout=a)
    call_command("revisit_sample", "--per-estate", "2", "--seed", "5", stdout=b)
    assert "新抽取" in a.getvalue() and "已存在" in b.getvalue()
    assert a.getvalue().splitlines()[1:] == b.getvalue().splitlines()[1:]
    assert len(a.getvalue().splitlines()) == 3


def test_home_panel_shows_overdue_counts(world, client):
    import datetime as dt

    from django.urls import reverse

    from wuye.testing import login

    late = world.rectifying()
    Case.objects.filter(pk=late.pk).update(deadline=dt.date(2020, 1, 1))
    login(client, world.tf)
    body = client.get(reverse("portal:home")).content.decode()
    assert "逾期未整改" in body and "整治台账" in body


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creations_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; real concurrency is only meaningful on PostgreSQL")
    world = World()
    outcomes = run_concurrently(lambda: world.case().seq, lambda: world.case().seq)
    numbers = [o for o in outcomes if not isinstance(o, Exception)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors
    assert sorted(numbers) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_accept_and_return_apply_only_one(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks across connections")
    world = World()
    case = world.submitted()
    results = run_concurrently(
        lambda: services.case_accept(actor=world.tf, case=case, note="合格"),
        lambda: services.case_return(actor=world.tf, case=case, reason="不行"),
    )
    outcomes = [type(r).__name__ if isinstance(r, Exception) else "ok" for r in results]
    assert sorted(outcomes) == ["InvalidTransition", "ok"]
    case.refresh_from_db()
    assert case.events.filter(kind__in=["accept", "return"]).count() == 1


def test_api_extension_escalation_and_merge(world):
    tf, staff = client_for(world.tf), client_for(world.staff)
    case = world.rectifying()
    url = f"/api/v1/cases/{case.number}/transitions/"
    r = staff.post(
        url,
        {"action": "extension_request", "deadline": future(50).isoformat(), "reason": "等配件"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert staff.post(url, {"action": "extension_approve"}, format="json").status_code == 403
    r = tf.post(url, {"action": "extension_approve", "reason": "同意"}, format="json")
    assert r.json()["deadline"] == future(50).isoformat()
    r = tf.post(
        url,
        {
            "action": "escalate",
            "kind": "penalty",
            "date": "2025-05-01",
            "amount": "-5",
            "legal_basis": "条例",
            "decision_number": "1号",
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "amount"
    r = tf.post(
        url,
        {
            "action": "escalate",
            "kind": "penalty",
            "date": "2025-05-01",
            "amount": "20000",
            "legal_basis": "《物业管理条例》第六十三条",
            "decision_number": "钟住建罚〔2025〕9号",
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["timeline"][-1]["title"] == "行政处罚"
    other = world.case()
    r = tf.post(
        f"/api/v1/cases/{other.number}/transitions/",
        {"action": "merge", "target": case.number},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "merged" and r.json()["merged_into"] == case.number


def test_case_page_query_count_does_not_grow_with_the_timeline(world, client, django_assert_max_num_queries):
    from django.urls import reverse

    from wuye.testing import login

    case = world.rectifying()
    login(client, world.tf)
    with django_assert_max_num_queries(25) as first:
        client.get(reverse("cases:detail", args=[case.number]))
    for i in range(5):
        services.case_progress_update(actor=world.staff, case=case, progress=f"进展{i}", attachments=[png()])
        services.case_note_add(actor=world.tf, case=case, text=f"备注{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("cases:detail", args=[case.number]))


def test_api_refuses_control_characters_in_a_text_field_and_drops_bidi_overrides(world):
    tf = client_for(world.tf)
    r = tf.post(
        "/api/v1/cases/",
        {"estate": world.estate.code, "category": "2.2", "description": "擅自\x07出租架空层"},
        format="json",
    )
    assert r.status_code == 400
    assert "控制字符 U+0007" in r.json()["description"][0]
    r = tf.post(
        "/api/v1/cases/",
        {"estate": world.estate.code, "category": "2.2", "description": "擅自\u202e出租架空层"},
        format="json",
    )
    assert r.status_code == 201
    assert Case.objects.get(number=r.json()["number"]).description == "擅自出租架空层"
