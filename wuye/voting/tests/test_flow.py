"""The assembly at the level users act: committee, owners, the public; wrong roles; bad input."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from wuye.accounts.sms import MemorySmsBackend
from wuye.audit.models import AuditEntry
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.testing import login
from wuye.voting import services
from wuye.voting.models import AssemblyStatus, Ballot, ElectorPerson, ElectorVoter
from wuye.voting.tally import DEVELOPER_KEY

from .conftest import png


def vote(client, user, assembly, **choices):
    login(client, user)
    data = {f"m_{k}": v for k, v in choices.items()}
    return client.post(reverse("voting:vote", args=[assembly.pk]), data)


def close(world, assembly):
    with mock.patch("wuye.voting.services.now", return_value=assembly.vote_end + dt.timedelta(minutes=1)):
        services.assembly_close(actor=world.committee, assembly=assembly)
    assembly.refresh_from_db()
    return assembly


# --- creating and opening ---------------------------------------------------------------------------------------


def test_committee_creates_an_assembly_adds_motions_and_opens_it_through_the_pages(world, client) -> None:
    login(client, world.committee)
    start = (now() + dt.timedelta(minutes=5)).astimezone().strftime("%Y-%m-%dT%H:%M")
    end = (now() + dt.timedelta(days=7)).astimezone().strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        reverse("voting:create"),
        {"title": "续聘物业", "notice": "公告正文", "vote_start": start, "vote_end": end},
    )
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    r = client.post(reverse("voting:motion_add", args=[pk]), {"item": "8", "title": "电梯广告"})
    assert r.status_code == 302
    r = client.post(reverse("voting:action", args=[pk, "open"]))
    assert r.status_code == 302
    page = client.get(reverse("voting:detail", args=[pk])).content.decode()
    assert "投票中" in page and "7 人" in page
    assert "四分之三" in page


def test_the_frozen_electorate_counts_persons_by_the_judicial_interpretation(world) -> None:
    a = world.assembly()
    assert a.total_persons == 7
    assert a.total_area == Decimal("750.00")
    multi = ElectorPerson.objects.get(assembly=a, units_label="1栋-002、1栋-007")
    assert multi.area == Decimal("150.00") and multi.unit_count == 2
    dev = ElectorPerson.objects.get(assembly=a, is_developer=True)
    assert (dev.key, dev.area, dev.unit_count) == (DEVELOPER_KEY, Decimal("100.00"), 2)
    assert ElectorVoter.objects.get(assembly=a, owner=world.owners[0]).may_vote is True
    assert ElectorVoter.objects.get(assembly=a, owner=world.co_owner).may_vote is False
    assert len(a.electorate_digest) == 64


def test_opening_without_motions_is_refused_and_nothing_is_frozen(world) -> None:
    a = world.assembly(open_it=False, items=())
    with pytest.raises(DomainError, match="至少一项表决事项"):
        services.assembly_open(actor=world.committee, assembly=a)
    a.refresh_from_db()
    assert a.status == AssemblyStatus.DRAFT and not ElectorPerson.objects.filter(assembly=a).exists()


def test_an_end_before_the_start_is_refused_with_the_field_named(world, client) -> None:
    login(client, world.committee)
    start = (now() + dt.timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    end = (now() + dt.timedelta(days=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        reverse("voting:create"), {"title": "x", "notice": "y", "vote_start": start, "vote_end": end}
    )
    assert r.status_code == 200
    assert "投票截止时间必须晚于开始时间" in r.content.decode()


def test_a_motion_with_an_item_outside_art_278_is_refused(world) -> None:
    a = world.assembly(open_it=False, items=())
    with pytest.raises(DomainError, match="1–9"):
        services.motion_add(actor=world.committee, assembly=a, item=10, title="x")
    assert a.motions.count() == 0


def test_motions_are_frozen_once_voting_opens(world) -> None:
    a = world.assembly()
    with pytest.raises(DomainError, match="投票开始后"):
        services.motion_add(actor=world.committee, assembly=a, item=4, title="追加")


def test_a_motion_document_is_checked_by_content(world) -> None:
    a = world.assembly(open_it=False)
    m = a.motions.first()
    with pytest.raises(DomainError, match="不是有效的图片或 PDF"):
        services.motion_document_add(
            actor=world.committee,
            motion=m,
            upload=SimpleUploadedFile("fake.pdf", b"hello", content_type="application/pdf"),
        )
    doc = services.motion_document_add(actor=world.committee, motion=m, upload=png("plan.png"))
    assert doc.content_type == "image/png"


# --- who sees what ------------------------------------------------------------------------------------------------


def test_company_staff_may_not_use_voting(world, client) -> None:
    login(client, world.company_staff)
    assert client.get(reverse("voting:home")).status_code == 403


def test_another_estates_committee_gets_404_and_cannot_manage(world, client) -> None:
    a = world.assembly()
    login(client, world.other_committee)
    assert client.get(reverse("voting:detail", args=[a.pk])).status_code == 404
    assert client.post(reverse("voting:action", args=[a.pk, "close"])).status_code == 404
    with pytest.raises(DomainError, match="只有本小区业委会"):
        services.assembly_close(actor=world.other_committee, assembly=a)


def test_owners_do_not_see_a_draft_and_outsiders_never_see_the_estates_assembly(world, client) -> None:
    draft = world.assembly(open_it=False)
    login(client, world.owner_users[2])
    assert client.get(reverse("voting:detail", args=[draft.pk])).status_code == 404
    services.assembly_open(actor=world.committee, assembly=draft)
    assert client.get(reverse("voting:detail", args=[draft.pk])).status_code == 200
    login(client, world.outsider)
    assert client.get(reverse("voting:detail", args=[draft.pk])).status_code == 404
    assert vote(client, world.outsider, draft, M1="agree", M2="agree").status_code == 404


def test_the_task_force_convenes_for_the_town_office(world) -> None:
    a = services.assembly_create(
        actor=world.task_force,
        estate=world.estate,
        title="代召集",
        notice="公告",
        vote_start=now(),
        vote_end=now() + dt.timedelta(days=3),
    )
    assert a.convener == "town"


def test_the_home_list_runs_a_constant_number_of_queries(
    world, client, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        world.assembly(open_it=False)
    login(client, world.committee)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("voting:home"))
    assert r.content.decode().count("2026年第一次业主大会") == 3


# --- casting -------------------------------------------------------------------------------------------------------


def test_an_owner_votes_on_the_phone_page_and_gets_a_receipt_by_sms(
    world, client, django_capture_on_commit_callbacks
) -> None:
    a = world.assembly()
    login(client, world.owner_users[1])
    page = client.get(reverse("voting:vote", args=[a.pk])).content.decode()
    assert "1栋-002、1栋-007" in page and 'name="viewport"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = vote(client, world.owner_users[1], a, M1="agree", M2="abstain")
    assert r.status_code == 302
    ballot = Ballot.objects.get(assembly=a)
    assert ballot.choices == {"M1": "agree", "M2": "abstain"} and ballot.channel == "online"
    receipt_page = client.get(r["Location"]).content.decode()
    assert ballot.receipt in receipt_page and "150.00 ㎡" in receipt_page
    assert MemorySmsBackend.outbox == [(world.owners[1].phone, mock.ANY)]
    assert ballot.receipt in MemorySmsBackend.outbox[0][1]
    from wuye.voting.tasks import ballot_receipt_job

    assert ballot_receipt_job(ballot_id=ballot.pk) is False  # the job run again (a retry) sends nothing
    assert len(MemorySmsBackend.outbox) == 1
    entry = AuditEntry.objects.get(object_type="voting.ballot", object_id=str(ballot.pk))
    assert "agree" not in json.dumps(entry.after) and entry.after["receipt"] == ballot.receipt


def test_a_second_ballot_for_the_same_person_is_refused_with_a_clear_message(world, client) -> None:
    a = world.assembly()
    vote(client, world.owner_users[3], a, M1="agree", M2="agree")
    with pytest.raises(DomainError, match="已投过票"):
        services.ballot_cast(
            actor=world.owner_users[3], assembly=a, choices={"M1": "disagree", "M2": "disagree"}
        )
    assert Ballot.objects.get(assembly=a).choices == {"M1": "agree", "M2": "agree"}
    # Back on the page, the owner is shown the receipt instead of a second ballot.
    r = client.get(reverse("voting:vote", args=[a.pk]))
    assert r.status_code == 302 and r["Location"].endswith("/receipt/")


def test_the_database_refuses_a_second_ballot_even_past_the_service(world) -> None:
    a = world.assembly()
    first = services.ballot_cast(
        actor=world.owner_users[3], assembly=a, choices={"M1": "agree", "M2": "agree"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            assembly=a,
            person=first.person,
            channel="online",
            choices={},
            receipt="X",
            cast_at=now(),
            cast_by=world.owner_users[3],
            voter_owner=world.owners[3],
        )


def test_a_co_owner_who_is_not_the_designated_voter_cannot_vote(world, client) -> None:
    a = world.assembly()
    r = vote(client, world.co_owner_user, a, M1="agree", M2="agree")
    assert r.status_code == 400 and "推选的投票人" in r.content.decode()
    assert not Ballot.objects.exists()


def test_a_ballot_missing_a_motion_is_refused_and_nothing_is_stored(world, client) -> None:
    a = world.assembly()
    before = AuditEntry.objects.count()
    r = vote(client, world.owner_users[2], a, M1="agree")
    assert r.status_code == 400
    assert "尚未选择：M2" in r.content.decode()
    assert not Ballot.objects.exists() and AuditEntry.objects.count() == before


def test_an_invalid_choice_is_refused(world) -> None:
    a = world.assembly()
    with pytest.raises(DomainError, match="只能是同意、反对或弃权"):
        services.ballot_cast(actor=world.owner_users[2], assembly=a, choices={"M1": "yes", "M2": "agree"})


def test_voting_before_the_window_opens_is_refused(world) -> None:
    a = world.assembly()
    with (
        mock.patch("wuye.voting.services.now", return_value=a.vote_start - dt.timedelta(minutes=1)),
        pytest.raises(DomainError, match="尚未开始"),
    ):
        services.ballot_cast(actor=world.owner_users[2], assembly=a, choices={"M1": "agree", "M2": "agree"})


def test_voting_after_the_deadline_is_refused(world) -> None:
    a = world.assembly()
    with (
        mock.patch("wuye.voting.services.now", return_value=a.vote_end),
        pytest.raises(DomainError, match="已截止"),
    ):
        services.ballot_cast(actor=world.owner_users[2], assembly=a, choices={"M1": "agree", "M2": "agree"})


# --- paper ballots -------------------------------------------------------------------------------------------------


def test_committee_enters_a_paper_ballot_with_its_scan(world, client) -> None:
    a = world.assembly()
    login(client, world.committee)
    r = client.post(
        reverse("voting:paper", args=[a.pk]),
        {"unit_label": "1栋-004", "m_M1": "disagree", "m_M2": "", "scan": png()},
    )
    assert r.status_code == 302
    b = Ballot.objects.get(assembly=a)
    assert b.channel == "paper" and b.choices == {"M1": "disagree"} and b.scan.name


def test_the_developer_votes_its_units_as_one_person_by_paper(world) -> None:
    a = world.assembly()
    b = services.ballot_enter_paper(
        actor=world.committee,
        assembly=a,
        unit_label=DEVELOPER_KEY,
        choices={"M1": "agree", "M2": "agree"},
        scan=png(),
    )
    assert b.person.is_developer and b.person.area == Decimal("100.00")
    with pytest.raises(DomainError, match="已投过票"):
        services.ballot_enter_paper(
            actor=world.committee, assembly=a, unit_label="1栋-009", choices={"M1": "agree"}, scan=png()
        )


def test_a_person_who_voted_online_cannot_also_have_a_paper_ballot(world, client) -> None:
    a = world.assembly()
    vote(client, world.owner_users[1], a, M1="agree", M2="agree")
    login(client, world.committee)
    r = client.post(
        reverse("voting:paper", args=[a.pk]), {"unit_label": "1栋-007", "m_M1": "disagree", "scan": png()}
    )
    assert r.status_code == 400 and "已投过票" in r.content.decode()
    assert Ballot.objects.filter(assembly=a).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit_label": "9栋-999", "m_M1": "agree"}, "不在本次表决名册中"),
        ({"unit_label": "1栋-003", "m_M1": "agree", "no_scan": True}, "请上传书面选票"),
        ({"unit_label": "1栋-003", "m_M1": "agree", "bad_scan": True}, "不是有效的图片或 PDF"),
        ({"unit_label": "1栋-003"}, "没有任何有效选择"),
    ],
)
def test_bad_paper_ballots_are_refused_and_nothing_is_stored(world, client, data, message) -> None:
    a = world.assembly()
    login(client, world.committee)
    post = {k: v for k, v in data.items() if k not in ("no_scan", "bad_scan")}
    if data.get("bad_scan"):
        post["scan"] = SimpleUploadedFile("scan.png", b"not an image", content_type="image/png")
    elif not data.get("no_scan"):
        post["scan"] = png()
    r = client.post(reverse("voting:paper", args=[a.pk]), post)
    assert r.status_code == 400 and message in r.content.decode()
    assert not Ballot.objects.exists()


def test_owners_cannot_enter_paper_ballots(world, client) -> None:
    a = world.assembly()
    login(client, world.owner_users[0])
    assert client.get(reverse("voting:paper", args=[a.pk])).status_code == 403


# --- the committee's live dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_participation_against_two_thirds_but_not_choices(world, client) -> None:
    a = world.assembly()
    for i in (2, 3, 4, 5):
        vote(client, world.owner_users[i], a, M1="disagree", M2="agree")
    login(client, world.committee)
    page = client.get(reverse("voting:dashboard", args=[a.pk])).content.decode()
    assert "已投票 <strong>4</strong> / 7 人" in page and "57.14%" in page
    assert "400.00 ㎡" in page and "53.33%" in page and "三分之二" in page
    assert "反对" not in page and world.owners[2].name not in page
    partial = client.get(reverse("voting:dashboard", args=[a.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "57.14%" in partial
