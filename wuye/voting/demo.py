"""Demo voting: in the demo committee's estate, one assembly open with some ballots and one closed with published
results. Built through the services, as the committee and owners would; the past assembly is replayed with the
services' clock set back (audit entries keep the real time). The demo owner login's own ballot is left uncast."""

import datetime as dt
import io
import random
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from wuye.accounts.models import Role, User
from wuye.accounts.services import owner_user_for_phone
from wuye.common.dates import now
from wuye.kernel.actors import SystemActor
from wuye.registry.models import Committee, Owner
from wuye.registry.selectors import contracts_in_force

from . import services, tasks
from .models import Assembly, ElectorPerson, ElectorVoter
from .tally import ABSTAIN, AGREE, DISAGREE

OPEN_TITLE = "2026年第二次业主大会：续聘物业与电梯广告收益"
CLOSED_TITLE = "2026年第一次业主大会：修订管理规约与增设充电桩"
OPEN_MOTIONS = [
    (4, "续聘现物业服务企业，服务期三年"),
    (8, "利用电梯轿厢发布广告，收益用于补充维修资金"),
    (5, "使用维修资金更换2栋屋面防水层"),
]
CLOSED_MOTIONS = [
    (2, "修订《管理规约》（停车管理条款）"),
    (7, "在小区东侧增设电动自行车充电桩"),
    (9, "公共收益分配方案（2026年度）"),
]


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 56), (250, 250, 245)).save(buf, format="PNG")
    return SimpleUploadedFile("书面选票扫描件.png", buf.getvalue(), content_type="image/png")


def _estate_and_actor() -> tuple[Any, User | None]:
    actor = (
        User.objects.filter(username="committee", role=Role.COMMITTEE_MEMBER).select_related("estate").first()
    )
    if actor is not None:
        return actor.estate, actor
    committee = (
        Committee.objects.filter(is_current=True, estate__in=contracts_in_force().values("estate"))
        .select_related("estate")
        .order_by("id")
        .first()
    )
    return (committee.estate if committee else None), None


def _cast(
    *,
    assembly: Assembly,
    rng: random.Random,
    share: float,
    skip_owner_id: int | None,
    lean: tuple[float, float],
) -> int:
    """Owners with an online vote cast for `share` of the persons; the developer votes by paper."""
    voters = list(
        ElectorVoter.objects.filter(assembly=assembly, may_vote=True)
        .select_related("owner", "person")
        .order_by("person__key", "owner_id")
    )
    skip_person = next((v.person_id for v in voters if v.owner_id == skip_owner_id), None)
    codes = list(assembly.motions.order_by("seq").values_list("code", flat=True))
    done: set[int] = set()
    cast = 0
    agree_p, disagree_p = lean
    for v in voters:
        if v.person_id in done or v.person_id == skip_person or rng.random() >= share:
            continue
        done.add(v.person_id)
        user = owner_user_for_phone(actor=SystemActor("demo"), phone=v.owner.phone)
        choices = {}
        for code in codes:
            r = rng.random()
            choices[code] = AGREE if r < agree_p else DISAGREE if r < agree_p + disagree_p else ABSTAIN
        services.ballot_cast(actor=user, assembly=assembly, choices=choices)
        cast += 1
    return cast


def _developer_paper(*, actor: User, assembly: Assembly) -> int:
    dev = ElectorPerson.objects.filter(assembly=assembly, is_developer=True).first()
    if dev is None:
        return 0
    codes = list(assembly.motions.order_by("seq").values_list("code", flat=True))
    services.ballot_enter_paper(
        actor=actor, assembly=assembly, unit_label=dev.key, choices={c: AGREE for c in codes}, scan=_png()
    )
    return 1


def build(*, seed: int, scale: float, out: Any) -> None:
    # Receipt texts go out on commit, so the quiet SMS stands in until the demo's transaction has committed.
    # The owners' notices of the demo assemblies are sent by a later `tick`, not during the build.
    with mock.patch.object(tasks, "sms_send", lambda phone, text: None):
        _build_all(seed=seed, out=out)


@transaction.atomic
def _build_all(*, seed: int, out: Any) -> None:
    estate, actor = _estate_and_actor()
    if estate is None or actor is None:
        out.write("  投票：没有带业委会账号的演示小区，跳过")
        return
    if Assembly.objects.filter(estate=estate, title__in=[OPEN_TITLE, CLOSED_TITLE]).exists():
        out.write("  投票：已存在，跳过")
        return
    rng = random.Random(seed)
    demo_owner = Owner.objects.filter(ownerships__unit__estate=estate).order_by("id").first()
    skip = demo_owner.pk if demo_owner else None
    real = now()
    n_open, n_closed = _build(estate=estate, actor=actor, rng=rng, skip=skip, real=real)
    out.write(f"  投票：{estate.name} 两次表决（投票中 {n_open} 票；已公示 {n_closed} 票）")


def _build(
    *, estate: Any, actor: User, rng: random.Random, skip: int | None, real: dt.datetime
) -> tuple[int, int]:

    # The closed assembly, replayed in the past: voting ended four days ago, results in their objection period.
    t0 = real - dt.timedelta(days=20)
    clock = {"t": t0}
    with (
        mock.patch.object(services, "now", lambda: clock["t"]),
        mock.patch.object(services, "today", lambda: clock["t"].astimezone().date()),
    ):
        closed = services.assembly_create(
            actor=actor,
            estate=estate,
            title=CLOSED_TITLE,
            vote_start=t0 + dt.timedelta(days=1),
            vote_end=t0 + dt.timedelta(days=16),
            notice="根据《民法典》第二百七十八条，业主委员会召集本次业主大会，采用电子投票与书面投票相结合的方式表决。"
            "书面选票可交至物业服务中心，由业委会录入并留存扫描件。",
        )
        for item, title in CLOSED_MOTIONS:
            services.motion_add(actor=actor, assembly=closed, item=item, title=title)
        clock["t"] = t0 + dt.timedelta(days=1, minutes=5)
        services.assembly_open(actor=actor, assembly=closed)
        clock["t"] = t0 + dt.timedelta(days=3)
        n_closed = _cast(assembly=closed, rng=rng, share=0.8, skip_owner_id=None, lean=(0.78, 0.14))
        n_closed += _developer_paper(actor=actor, assembly=closed)
        clock["t"] = t0 + dt.timedelta(days=16, hours=1)
        services.assembly_close(actor=actor, assembly=closed)
        services.assembly_publish(actor=actor, assembly=closed)

    # The open assembly: voting now, some ballots in, the demo owner's still to come.
    opened = services.assembly_create(
        actor=actor,
        estate=estate,
        title=OPEN_TITLE,
        vote_start=real - dt.timedelta(days=2),
        vote_end=real + dt.timedelta(days=12),
        notice="本次表决采用电子投票（手机号验证码登录）和书面投票。每位业主一票；同一业主多套房屋合计一票、面积相加；"
        "开发建设单位未售出或未交付的房屋合计一票。投票结束后公示回执码和计票结果，公示期内可提出异议。",
    )
    for item, title in OPEN_MOTIONS:
        services.motion_add(actor=actor, assembly=opened, item=item, title=title)
    services.assembly_open(actor=actor, assembly=opened)
    n_open = _cast(assembly=opened, rng=rng, share=0.45, skip_owner_id=skip, lean=(0.7, 0.2))
    return n_open, n_closed
