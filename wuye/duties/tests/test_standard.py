"""The contract's service standard: picked from a county grade or typed from the contract; a failed inspection
item names the clause of the estate's own standard it breaks."""

import pytest
from django.urls import reverse

from wuye.common.errors import DomainError
from wuye.duties import services
from wuye.duties.models import ServiceStandard
from wuye.intake.models import Lead
from wuye.intake.selectors import inspection_checklist
from wuye.testing import login

from .factories import World

pytestmark = pytest.mark.django_db


def _inspect(client, w: World, **fails: str) -> list[Lead]:
    login(client, w.task_force)
    data = {f"result_{i['code']}": "pass" for i in inspection_checklist()["items"]}
    for code, note in fails.items():
        data[f"result_{code}"], data[f"note_{code}"] = "fail", note
    assert client.post(reverse("intake:inspection_new", args=[w.estate.code]), data).status_code == 302
    return list(Lead.objects.filter(channel="inspection").order_by("pk"))


def test_a_grade_gives_the_standard_its_clauses(client):
    w = World()
    login(client, w.staff)
    resp = client.post(f"/duties/estates/{w.estate.code}/new/standard/", {"grade": "一级"})
    assert resp.status_code == 302
    std = ServiceStandard.objects.get()
    assert std.grade == "一级"
    assert {
        "code": "guard",
        "item": "秩序维护",
        "text": "主出入口 24 小时值守，每日巡逻不少于 4 次",
    } in std.clauses


def test_a_failed_item_names_the_clause_of_the_estates_grade(client):
    w = World()
    services.standard_set(actor=w.staff, estate=w.estate, grade="二级")
    (lead,) = _inspect(client, w, svc_clean="3栋楼道三天没扫")
    assert "违反本小区合同服务标准" in lead.text
    assert "楼道每 2 日清扫 1 次、每周拖洗 1 次" in lead.text
    assert [c["code"] for c in lead.evidence["clauses"]] == ["clean_floor", "clean_yard"]
    assert lead.evidence["clauses"][0]["source"] == "二级服务标准"


def test_clauses_typed_from_the_contract_are_matched_by_service_item(client):
    w = World()
    services.standard_set(
        actor=w.staff, estate=w.estate, clauses="清洁：楼道每日清扫\n绿化：草坪每月修剪 2 次\n"
    )
    (lead,) = _inspect(client, w, svc_green="草坪半年没修剪")
    assert lead.evidence["clauses"] == [
        {"code": "c2", "item": "绿化", "text": "草坪每月修剪 2 次", "source": "合同约定标准"}
    ]


def test_without_a_standard_the_lead_says_only_what_was_found(client):
    w = World()
    (lead,) = _inspect(client, w, svc_guard="门岗无人")
    assert "违反" not in lead.text and "clauses" not in lead.evidence


def test_a_badly_typed_clause_is_refused_by_line():
    w = World()
    with pytest.raises(DomainError, match="第 2 行") as exc:
        services.standard_set(actor=w.staff, estate=w.estate, clauses="清洁：每日\n绿化每月\n")
    assert exc.value.field == "clauses"
    assert not ServiceStandard.objects.exists()


def test_setting_the_standard_again_replaces_it():
    w = World()
    services.standard_set(actor=w.staff, estate=w.estate, grade="三级")
    services.standard_set(actor=w.staff, estate=w.estate, grade="一级")
    assert ServiceStandard.objects.get().grade == "一级"
