"""Closing, the result and its digest, verification, objections and audit: at the level users act."""

import datetime as dt
import io
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from wuye.audit.models import AuditEntry
from wuye.common.dates import now, today
from wuye.common.errors import DomainError
from wuye.testing import login
from wuye.voting import services
from wuye.voting.models import AssemblyStatus, Ballot
from wuye.voting.tally import DEVELOPER_KEY, tally_scenario

from .conftest import png
from .test_flow import close, vote

# --- closing, result, digest, verification, objections -------------------------------------------------------------


def test_closing_before_the_deadline_is_refused(world) -> None:
    a = world.assembly()
    with pytest.raises(DomainError, match="未到"):
        services.assembly_close(actor=world.committee, assembly=a)
    a.refresh_from_db()
    assert a.status == AssemblyStatus.OPEN and a.result is None


def cast_all(world, a, client):
    # 6 of 7 persons, 650 of 750 m². M1 (item 4): agree 4 persons 450 m² of 650 → passes.
    # M2 (item 8): agree 4 of 6 persons (< 3/4) → fails on persons.
    for i, c in ((0, "agree"), (1, "agree"), (2, "agree"), (3, "disagree"), (4, "abstain")):
        vote(client, world.owner_users[i], a, M1=c, M2=c)
    services.ballot_enter_paper(
        actor=world.committee,
        assembly=a,
        unit_label=DEVELOPER_KEY,
        choices={"M1": "agree", "M2": "agree"},
        scan=png(),
    )


def test_the_closed_result_is_exact_public_once_published_and_verifiable(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    m1, m2 = a.result["motions"]
    assert (m1["participating_persons"], Decimal(m1["participating_area"])) == (6, Decimal("650.00"))
    assert (m1["agree_persons"], Decimal(m1["agree_area"])) == (4, Decimal("450.00"))
    assert m1["passed"] is True
    assert m2["threshold"] == "three_quarters" and m2["passed"] is False and "同意人数" in m2["reason"]
    client.logout()
    assert client.get(reverse("voting:result", args=[a.pk])).status_code == 404  # not yet published
    services.assembly_publish(actor=world.committee, assembly=a)
    # The public sees the totals against the threshold lines, never a unit's ballot, the digest or the file.
    public = client.get(reverse("voting:result", args=[a.pk])).content.decode()
    assert "✔ 通过" in public and "✘ 未通过" in public and a.digest not in public
    assert "left:75.00%" in public and "left:66.67%" in public
    receipt = Ballot.objects.filter(assembly=a, channel="online").first().receipt
    assert receipt not in public and "仅向本小区业主" in public
    assert client.get(reverse("voting:ballots_json", args=[a.pk])).status_code == 302  # to the owners' login
    # An owner of the estate sees the ballots by receipt, the digest and the download.
    login(client, world.owner_users[5])
    page = client.get(reverse("voting:result", args=[a.pk])).content.decode()
    assert "✔ 通过" in page and "✘ 未通过" in page and a.digest in page
    assert "left:75.00%" in page and "left:66.67%" in page
    for o in world.owners[:5]:  # (the logged-in owner's own name is in the page header)
        assert o.name not in page and o.name not in public
    assert "manage.py" not in page and "assembly、units" not in page
    found = client.get(reverse("voting:result", args=[a.pk]), {"receipt": receipt.lower()}).content.decode()
    assert "已找到" in found and receipt in found
    # The estate's owners can download the ballots and re-run the tally: same figures, same digest.
    doc = json.loads(client.get(reverse("voting:ballots_json", args=[a.pk])).content)
    again = tally_scenario({k: doc[k] for k in ("units", "motions", "ballots")})
    assert [m["passed"] for m in again["motions"]] == [True, False]
    assert again["motions"][0]["agree_area"] == m1["agree_area"]
    assert doc["digest"] == a.digest
    out = io.StringIO()
    call_command("tally_verify", str(a.pk), stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1])["ok"] is True


def test_only_the_estates_owners_committee_and_bureau_see_the_ballots_of_a_published_vote(
    world, client
) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    services.assembly_publish(actor=world.committee, assembly=a)
    receipt = Ballot.objects.filter(assembly=a).order_by("receipt").first().receipt
    result_url, file_url = reverse("voting:result", args=[a.pk]), reverse("voting:ballots_json", args=[a.pk])
    for user in (world.company_staff, world.outsider, world.other_committee):
        login(client, user)
        page = client.get(result_url, {"receipt": receipt}).content.decode()
        assert "✔ 通过" in page and receipt not in page and a.digest not in page, user.role
        assert client.get(file_url).status_code == 404, user.role
    for user in (world.committee, world.task_force, world.owner_users[0]):
        login(client, user)
        page = client.get(result_url).content.decode()
        assert receipt in page and a.digest in page and "第1项" in page, user.role
        assert client.get(file_url).status_code == 200, user.role


def test_tally_verify_detects_a_ballot_changed_after_closing(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    b = Ballot.objects.get(assembly=a, voter_owner=world.owners[0])  # voted agree on both
    Ballot.objects.filter(pk=b.pk).update(choices={"M1": "disagree", "M2": "disagree"})
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("tally_verify", str(a.pk), stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    assert "摘要" in err.getvalue() and b.receipt in err.getvalue()


def test_tally_verify_checks_a_downloaded_file(world, client, tmp_path) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    login(client, world.committee)
    doc = json.loads(client.get(reverse("voting:ballots_json", args=[a.pk])).content)
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("tally_verify", "--file", str(path), stdout=out)
    assert "核对一致" in out.getvalue()
    doc["ballots"][0]["choices"] = {"M1": "disagree"}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("tally_verify", "--file", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.code == 1


def test_objections_during_publication_must_be_answered_before_the_period_ends(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    with pytest.raises(DomainError, match="结果公示期内"):
        services.objection_raise(actor=world.owner_users[5], assembly=a, text="我没有收到书面通知，请核实。")
    services.assembly_publish(actor=world.committee, assembly=a)
    a.refresh_from_db()
    login(client, world.owner_users[5])
    r = client.post(reverse("voting:objection_raise", args=[a.pk]), {"text": "开发商的书面票是否有盖章？"})
    assert r.status_code == 302
    obj = a.objections.get()
    after_period = a.objection_end + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="公示期至"):
        services.assembly_finalise(actor=world.committee, assembly=a)
    with (
        mock.patch("wuye.voting.services.today", return_value=after_period),
        pytest.raises(DomainError, match="1 条异议未答复"),
    ):
        services.assembly_finalise(actor=world.committee, assembly=a)
    login(client, world.committee)
    client.post(reverse("voting:objection_answer", args=[obj.pk]), {"answer": "已核对，扫描件加盖公章。"})
    with mock.patch("wuye.voting.services.today", return_value=after_period):
        services.assembly_finalise(actor=world.committee, assembly=a)
    a.refresh_from_db()
    assert a.status == AssemblyStatus.FINAL
    assert a.objection_end >= today()


def test_every_assembly_state_change_is_audited(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    services.assembly_publish(actor=world.committee, assembly=a)
    actions = list(
        AuditEntry.objects.filter(object_type="voting.assembly", object_id=str(a.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["assembly.create", "assembly.open", "assembly.close", "assembly.publish"]
    assert (
        AuditEntry.objects.filter(object_type="voting.ballot", action__startswith="ballot.cast").count() == 6
    )


def test_the_vote_page_explains_when_an_owner_cannot_vote(world, client) -> None:
    a = world.assembly()
    login(client, world.co_owner_user)
    page = client.get(reverse("voting:vote", args=[a.pk])).content.decode()
    assert "共有人推选的投票人" in page and "提交选票" not in page
    login(client, world.outsider)
    assert client.get(reverse("voting:vote", args=[a.pk])).status_code == 404


def test_only_managers_open_a_paper_ballots_scan(world, client) -> None:
    a = world.assembly()
    b = services.ballot_enter_paper(
        actor=world.committee, assembly=a, unit_label="1栋-003", choices={"M1": "agree"}, scan=png()
    )
    url = reverse("voting:paper_scan", args=[a.pk, b.receipt])
    login(client, world.committee)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"\x89PNG")
    login(client, world.owner_users[2])
    assert client.get(url).status_code == 403


def test_a_visitor_following_a_voting_link_is_sent_to_the_owners_phone_login(world, client) -> None:
    a = world.assembly()
    r = client.get(reverse("voting:vote", args=[a.pk]))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("accounts:owner_login")) and "next=" in r["Location"]


def test_a_double_submitted_objection_is_stored_once(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    services.assembly_publish(actor=world.committee, assembly=a)
    login(client, world.owner_users[5])
    for _ in range(2):
        r = client.post(
            reverse("voting:objection_raise", args=[a.pk]), {"text": "开发商的书面票是否有盖章？"}
        )
        assert r.status_code == 302
    assert a.objections.count() == 1
    assert AuditEntry.objects.filter(action="objection.raise").count() == 1
    client.post(reverse("voting:objection_raise", args=[a.pk]), {"text": "另一个问题：公告是否张贴？"})
    assert a.objections.count() == 2


def test_a_double_submitted_assembly_or_motion_is_created_once(world, client) -> None:
    login(client, world.committee)
    start = (now() + dt.timedelta(minutes=5)).astimezone().strftime("%Y-%m-%dT%H:%M")
    end = (now() + dt.timedelta(days=7)).astimezone().strftime("%Y-%m-%dT%H:%M")
    data = {"title": "续聘物业", "notice": "公告正文", "vote_start": start, "vote_end": end}
    first = client.post(reverse("voting:create"), data)
    second = client.post(reverse("voting:create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert world.estate.assemblies.count() == 1
    a = world.estate.assemblies.get()
    for _ in range(2):
        r = client.post(reverse("voting:motion_add", args=[a.pk]), {"item": "8", "title": "电梯广告"})
        assert r.status_code == 302
    assert list(a.motions.values_list("code", flat=True)) == ["M1"]
    client.post(reverse("voting:motion_add", args=[a.pk]), {"item": "4", "title": "续聘物业"})
    assert a.motions.count() == 2
    assert AuditEntry.objects.filter(action="assembly.create").count() == 1
