"""Writes of the voting app. One transaction per operation, the assembly row locked, one audit entry each."""

import datetime as dt
import hashlib
from collections.abc import Mapping

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.jobs import defer
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from . import selectors
from .models import (
    Assembly,
    AssemblyStatus,
    Ballot,
    ElectorPerson,
    ElectorUnit,
    ElectorVoter,
    Motion,
    MotionDocument,
    Objection,
)
from .moves import _check_move, _lock, _lock_shared, _move, _read_open, _require_manager, voter_holding_shared
from .moves import can_manage as can_manage  # re-exported: views and the API ask services.can_manage
from .roll import _clean_choices, _duplicate_error, _new_receipt, _snapshot_build
from .roll import canonical_json as canonical_json  # re-exported with sha256_of (docs/voting.md)
from .roll import sha256_of as sha256_of
from .tally import DEVELOPER_KEY, ITEMS
from .thresholds import objection_days

# --- assemblies and motions ----------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def assembly_create(
    *, actor: Actor, estate: Estate, title: str, notice: str, vote_start: dt.datetime, vote_end: dt.datetime
) -> Assembly:
    user = person_acting(actor, what="参与业主大会表决")
    _require_manager(user, estate.pk)
    title, notice = (title or "").strip(), (notice or "").strip()
    if not title:
        raise DomainError("表决名称：不能为空", field="title")
    if not notice:
        raise DomainError("请填写表决公告（会议议题、表决方式、时间和地点）", field="notice")
    if vote_start is None or vote_end is None:
        raise DomainError("投票开始时间：请填写投票起止时间", field="vote_start")
    if vote_end <= vote_start:
        raise DomainError("投票截止时间必须晚于开始时间", field="vote_end")
    if vote_end <= now():
        raise DomainError("投票截止时间已过，请重新选择", field="vote_end")
    Estate.objects.select_for_update().filter(pk=estate.pk).first()  # serialises a double submit
    existing = Assembly.objects.filter(
        estate=estate, title=title, vote_start=vote_start, vote_end=vote_end, status=AssemblyStatus.DRAFT
    ).first()
    if existing is not None:
        return existing
    convener = Assembly.Convener.TOWN if user.role in BUREAU_ROLES else Assembly.Convener.COMMITTEE
    assembly = Assembly.objects.create(
        estate=estate,
        title=title,
        notice=notice,
        convener=convener,
        vote_start=vote_start,
        vote_end=vote_end,
        created_by=user,
        created_at=now(),
    )
    audit_record(
        actor=user,
        action="assembly.create",
        obj=assembly,
        after={
            "estate": estate.pk,
            "title": title,
            "convener": convener,
            "vote_start": vote_start,
            "vote_end": vote_end,
            "status": assembly.status,
        },
    )
    return assembly


@requires_actor
@transaction.atomic
def motion_add(*, actor: Actor, assembly: Assembly, item: int, title: str, description: str = "") -> Motion:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status != AssemblyStatus.DRAFT:
        raise InvalidTransition("投票开始后不能再增加表决事项", field="title")
    if item not in ITEMS:
        raise DomainError("民法典第278条事项：请选择民法典第二百七十八条所列的事项（1–9）", field="item")
    title = (title or "").strip()
    if not title:
        raise DomainError("表决事项：不能为空", field="title")
    existing = assembly.motions.filter(item=item, title=title).first()
    if existing is not None:  # a double submit: the assembly lock above serialises the two requests
        return existing
    seq = (assembly.motions.aggregate(m=Max("seq"))["m"] or 0) + 1
    motion = Motion.objects.create(
        assembly=assembly,
        code=f"M{seq}",
        seq=seq,
        item=item,
        title=title,
        description=(description or "").strip(),
    )
    audit_record(
        actor=user,
        action="motion.add",
        obj=motion,
        after={"assembly": assembly.pk, "code": motion.code, "item": item, "title": title},
    )
    return motion


@requires_actor
@transaction.atomic
def motion_remove(*, actor: Actor, motion: Motion) -> None:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(motion.assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status != AssemblyStatus.DRAFT:
        raise InvalidTransition("投票开始后不能删除表决事项", field="title")
    audit_record(
        actor=user,
        action="motion.remove",
        obj=motion,
        before={"code": motion.code, "item": motion.item, "title": motion.title},
    )
    motion.delete()


@requires_actor
@transaction.atomic
def motion_document_add(*, actor: Actor, motion: Motion, upload: "UploadedFile[bytes]") -> MotionDocument:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(motion.assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status != AssemblyStatus.DRAFT:
        raise InvalidTransition("投票开始后表决材料已冻结，不能再上传", field="file")
    checked = check_upload(upload, field="file")
    doc = MotionDocument(
        motion=motion, name=checked.name[:200], content_type=checked.content_type, uploaded_at=now()
    )
    doc.file.save(checked.name, ContentFile(checked.data), save=False)
    doc.save()
    audit_record(
        actor=user,
        action="motion.document_add",
        obj=doc,
        after={"motion": motion.pk, "name": doc.name, "sha256": hashlib.sha256(checked.data).hexdigest()},
    )
    return doc


@requires_actor
@transaction.atomic
def assembly_open(*, actor: Actor, assembly: Assembly) -> Assembly:
    """Start voting: freeze and publish the electorate snapshot (R2 person counting)."""
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status == AssemblyStatus.OPEN:
        return assembly
    _check_move(assembly, AssemblyStatus.OPEN)
    if not assembly.motions.exists():
        raise DomainError("请先添加至少一项表决事项", field="title")
    if assembly.vote_end <= now():
        raise DomainError("投票截止时间已过，不能开始投票", field="vote_end")
    persons, area = _snapshot_build(assembly)
    if persons == 0:
        raise DomainError("该小区没有房屋档案，无法生成表决名册", field="roll")
    assembly.total_area, assembly.total_persons = area, persons
    assembly.electorate_digest = sha256_of(selectors.electorate_document(assembly))
    _move(
        actor=user,
        assembly=assembly,
        to=AssemblyStatus.OPEN,
        action="assembly.open",
        fields={
            "opened_at": now(),
            "total_area": assembly.total_area,
            "total_persons": assembly.total_persons,
            "electorate_digest": assembly.electorate_digest,
        },
    )
    # the owners hear of it from the next `tick` (wuye.voting.notices.assembly_notices), within a minute: one
    # message per owner is a batch job, not work for the request that opened the vote
    return assembly


# --- ballots -------------------------------------------------------------------------------------------------


def _store_ballot(
    *,
    user: User,
    assembly: Assembly,
    person: ElectorPerson,
    channel: str,
    choices: dict[str, str],
    voter_owner_id: int | None,
    scan: "ContentFile[bytes] | None",
    scan_name: str = "",
) -> Ballot:
    if scan is not None and Ballot.objects.filter(assembly=assembly, person=person).exists():
        raise _duplicate_error(
            person
        )  # before the scan is stored: a refused paper ballot leaves no file behind
    ballot = Ballot(
        assembly=assembly,
        person=person,
        channel=channel,
        choices=choices,
        receipt=_new_receipt(),
        cast_at=now(),
        cast_by=user,
        voter_owner_id=voter_owner_id,
    )
    if scan is not None:
        ballot.scan.save(scan_name, scan, save=False)
    # The unique constraint is the word on duplicates (an online ballot is not checked before: one round trip
    # less per ballot). No savepoint either: the refusal leaves the caller's transaction (atomic, a savepoint when
    # nested) at once, so it is rolled back and nothing runs on the failed statement.
    try:
        ballot.save(force_insert=True)
    except IntegrityError:
        raise _duplicate_error(person) from None
    audit_record(
        actor=user,
        action=f"ballot.cast_{channel}",
        obj=ballot,
        after={
            "assembly": assembly.pk,
            "person": person.key,
            "receipt": ballot.receipt,
            "choices_sha256": sha256_of(choices),
        },
    )
    return ballot


@requires_actor
@transaction.atomic
def ballot_cast(*, actor: Actor, assembly: Assembly, choices: Mapping[str, str]) -> Ballot:
    """An owner votes online for the person they belong to; a receipt is shown and sent by SMS after commit."""
    user = person_acting(actor, what="参与业主大会表决")
    if user.role != Role.OWNER or not user.owner_id:
        raise NotAllowed("只有登记在册的业主本人可以在线投票")
    # the voter first: its statement takes the assembly's shared lock, the assembly is read after it
    found = voter_holding_shared(assembly.pk, user.owner_id)
    assembly, motions = _read_open(assembly)
    if assembly.status != AssemblyStatus.OPEN:
        raise InvalidTransition(f"选票：本次表决{assembly.get_status_display()}，不能投票", field="ballot")
    moment = now()
    if moment < assembly.vote_start:
        raise DomainError("选票：投票尚未开始", field="ballot")
    if moment >= assembly.vote_end:
        raise DomainError("选票：投票已截止", field="ballot")
    if found is None:
        raise NotAllowed("选票：您不在本次表决的业主名册中；如有异议请联系业委会核对房屋档案", field="ballot")
    voter, phone = found  # phone: the user's own registry record (voter.owner_id == user.owner_id)
    if not voter.may_vote:
        raise NotAllowed(
            "选票：您与其他业主共有该房屋，投票由共有人推选的投票人进行；请联系业委会登记推选结果",
            field="ballot",
        )
    cleaned = _clean_choices(motions, choices, require_all=True)
    ballot = _store_ballot(
        user=user,
        assembly=assembly,
        person=voter.person,
        channel=Ballot.Channel.ONLINE,
        choices=cleaned,
        voter_owner_id=user.owner_id,
        scan=None,
    )
    if phone:
        from .tasks import ballot_receipt_job  # the job row commits with the ballot

        # no queueing key: the ballot is new in this transaction, so nothing else can have deferred its receipt (a
        # key would cost a savepoint per ballot); a job run twice is still claimed once (`once` in the task)
        defer(ballot_receipt_job, ballot_id=ballot.pk)
    return ballot


@requires_actor
@transaction.atomic
def ballot_enter_paper(
    *,
    actor: Actor,
    assembly: Assembly,
    unit_label: str,
    choices: Mapping[str, str],
    scan: "UploadedFile[bytes] | None",
) -> Ballot:
    """The committee enters a written ballot (书面投票) with its scan; one person cannot have paper and online."""
    user = person_acting(actor, what="参与业主大会表决")
    assembly, motions = _lock_shared(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status != AssemblyStatus.OPEN:
        raise InvalidTransition(f"本次表决{assembly.get_status_display()}，不能录入书面选票", field="ballot")
    if now() < assembly.vote_start:
        raise DomainError("选票：投票尚未开始", field="ballot")
    label = (unit_label or "").strip().replace("－", "-")
    if not label:
        raise DomainError("请填写房号（如 1栋-101），开发建设单位填写“开发建设单位”", field="unit_label")
    if label == DEVELOPER_KEY:
        person = ElectorPerson.objects.filter(assembly=assembly, is_developer=True).first()
        if person is None:
            raise DomainError("房号：本小区名册中没有开发建设单位未售出或未交付的房屋", field="unit_label")
    else:
        unit = ElectorUnit.objects.select_related("person").filter(assembly=assembly, label=label).first()
        if unit is None:
            raise DomainError(f"房号“{label}”不在本次表决名册中（格式如 1栋-101）", field="unit_label")
        person = unit.person
    if scan is None:
        raise DomainError("选票扫描件：请上传书面选票的扫描件或照片", field="scan")
    checked = check_upload(scan, field="scan")
    cleaned = _clean_choices(motions, choices, require_all=False)
    return _store_ballot(
        user=user,
        assembly=assembly,
        person=person,
        channel=Ballot.Channel.PAPER,
        choices=cleaned,
        voter_owner_id=None,
        scan=ContentFile(checked.data),
        scan_name=checked.name,
    )


# --- closing, publishing, objections ---------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def assembly_close(*, actor: Actor, assembly: Assembly) -> Assembly:
    """After the window: freeze the tally and the digest over the canonical ballot list."""
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status == AssemblyStatus.CLOSED:
        return assembly
    _check_move(assembly, AssemblyStatus.CLOSED)
    if now() < assembly.vote_end:
        raise DomainError(
            f"投票截止时间（{selectors.cn_datetime(assembly.vote_end)}）未到，不能提前截止计票",
            field="vote_end",
        )
    results = selectors.tally_from_db(assembly)
    assembly.result = {"motions": [r.as_dict() for r in results]}
    assembly.digest = sha256_of(selectors.ballots_document(assembly))
    _move(
        actor=user,
        assembly=assembly,
        to=AssemblyStatus.CLOSED,
        action="assembly.close",
        fields={"closed_at": now(), "result": assembly.result, "digest": assembly.digest},
    )
    return assembly


@requires_actor
@transaction.atomic
def assembly_publish(*, actor: Actor, assembly: Assembly) -> Assembly:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status == AssemblyStatus.PUBLISHED:
        return assembly
    _move(
        actor=user,
        assembly=assembly,
        to=AssemblyStatus.PUBLISHED,
        action="assembly.publish",
        fields={"published_at": now(), "objection_end": today() + dt.timedelta(days=objection_days())},
    )
    return assembly


@requires_actor
@transaction.atomic
def assembly_finalise(*, actor: Actor, assembly: Assembly) -> Assembly:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status == AssemblyStatus.FINAL:
        return assembly
    if assembly.status == AssemblyStatus.PUBLISHED:
        if assembly.objection_end and today() <= assembly.objection_end:
            raise DomainError(
                f"公示期至 {assembly.objection_end:%Y-%m-%d} 截止，期满后才能结束公示", field="objection_end"
            )
        pending = assembly.objections.filter(answered_at__isnull=True).count()
        if pending:
            raise DomainError(f"还有 {pending} 条异议未答复，请先答复", field="objection")
    _move(
        actor=user,
        assembly=assembly,
        to=AssemblyStatus.FINAL,
        action="assembly.finalise",
        fields={"finalised_at": now()},
    )
    return assembly


@requires_actor
@transaction.atomic
def assembly_cancel(*, actor: Actor, assembly: Assembly, reason: str) -> Assembly:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    _require_manager(user, assembly.estate_id)
    if assembly.status == AssemblyStatus.CANCELLED:
        return assembly
    if not (reason or "").strip():
        raise DomainError("请填写取消原因", field="reason")
    _move(
        actor=user,
        assembly=assembly,
        to=AssemblyStatus.CANCELLED,
        action="assembly.cancel",
        fields={},
        reason=reason.strip(),
    )
    return assembly


@requires_actor
@transaction.atomic
def objection_raise(*, actor: Actor, assembly: Assembly, text: str) -> Objection:
    user = person_acting(actor, what="参与业主大会表决")
    assembly = _lock(assembly)
    if user.role != Role.OWNER or not user.owner_id:
        raise NotAllowed("只有本小区业主可以提出异议")
    if not ElectorVoter.objects.filter(assembly=assembly, owner_id=user.owner_id).exists():
        raise NotAllowed("异议内容：您不在本次表决的业主名册中", field="text")
    if assembly.status != AssemblyStatus.PUBLISHED:
        raise InvalidTransition("异议内容：只有在结果公示期内才能提出异议", field="text")
    if assembly.objection_end and today() > assembly.objection_end:
        raise DomainError("异议内容：公示期已过，不能再提出异议", field="text")
    text = (text or "").strip()
    if len(text) < 5:
        raise DomainError("异议内容：请写明异议的具体内容（至少 5 个字）", field="text")
    text = text[:4000]
    existing = Objection.objects.filter(assembly=assembly, raised_by=user, text=text).first()
    if existing is not None:  # a double submit: the assembly lock above serialises the two requests
        return existing
    objection = Objection.objects.create(assembly=assembly, raised_by=user, text=text, raised_at=now())
    audit_record(actor=user, action="objection.raise", obj=objection, after={"assembly": assembly.pk})
    return objection


@requires_actor
@transaction.atomic
def objection_answer(*, actor: Actor, objection: Objection, answer: str) -> Objection:
    user = person_acting(actor, what="参与业主大会表决")
    objection = Objection.objects.select_for_update().select_related("assembly").get(pk=objection.pk)
    _require_manager(user, objection.assembly.estate_id)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("答复：不能为空", field="answer")
    if objection.answered_at is not None:
        raise InvalidTransition("该异议已经答复", field="answer")
    objection.answer, objection.answered_by, objection.answered_at = answer, user, now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(actor=user, action="objection.answer", obj=objection, after={"answered": True})
    return objection
