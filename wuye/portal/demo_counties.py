"""More demo counties (`manage.py demo --counties N`): each a smaller county in the first county's city, with its
own towns, estates, owners, a company of its own and one that also serves the first county, a few cases numbered
with its own prefix, and its own office head and task force; plus the province viewer. Built through the services,
after the first county (which `--counties 1`, the default, builds alone, exactly as before)."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from wuye.accounts.demo import DEMO_PASSWORD
from wuye.accounts.models import Role, User
from wuye.accounts.services import staff_user_create
from wuye.cases import services as cases
from wuye.intake.services import lead_create
from wuye.kernel.actors import SystemActor
from wuye.registry import services as reg
from wuye.registry.models import County, Estate, PropertyCompany, Town, default_county
from wuye.registry.validators import CREDIT_CHARSET, credit_code_check_char

DEMO = SystemActor("demo")

# (code, name, case prefix, towns, bureau): the neighbours of 钟山县 in 贺州市
MORE = [
    ("451121", "昭平县", "ZP", ["昭平镇", "黄姚镇", "走马镇"], "昭平县住房和城乡建设局"),
    ("451123", "富川瑶族自治县", "FC", ["富阳镇", "白沙镇", "莲山镇"], "富川瑶族自治县住房和城乡建设局"),
    ("451102", "八步区", "BB", ["八步街道", "城东街道", "贺街镇"], "贺州市八步区住房和城乡建设局"),
    ("451103", "平桂区", "PG", ["西湾街道", "黄田镇", "鹅塘镇"], "贺州市平桂区住房和城乡建设局"),
]
ESTATES = ["江景花园", "桂花苑", "阳光新城", "翠竹小区", "滨江华府", "凤凰嘉园", "古镇雅居", "锦绣家园"]
TEXTS = [
    ("1.1", "小区内垃圾多日未清运，气味很大"),
    ("3.1", "电梯经常停运，老人上下楼困难"),
    ("1.1", "楼道照明坏了一个多月没人修"),
    ("4", "小区车位紧张，消防通道被占用"),
]


def _credit_code(rng: random.Random) -> str:
    body = "91451100" + "".join(rng.choice(CREDIT_CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def _user(username: str, role: str, name: str, **extra: Any) -> User:
    user = User.objects.filter(username=username).first()
    return user or staff_user_create(
        actor=DEMO, username=username, password=DEMO_PASSWORD, role=role, display_name=name, **extra
    )


@transaction.atomic
def build(*, counties: int, seed: int, out: Any) -> None:
    """Counties 2…N (at most 1 + len(MORE)), and the province viewer when there is more than one."""
    if counties <= 1:
        return
    first = default_county()
    rng = random.Random(seed * 104729 + 17)
    shared = PropertyCompany.objects.filter(registered_county=first).order_by("pk").first()
    for n, (code, name, prefix, town_names, bureau) in enumerate(MORE[: counties - 1], start=2):
        if County.objects.filter(code=code).exists():
            out.write(f"  {name}：已存在，跳过")
            continue
        county = County.objects.create(
            code=code,
            name=name,
            city=first.city,
            case_prefix=prefix,
            settings={"BUREAU_NAME": bureau, "HOTLINE": f"0774-{6660000 + n * 1111}", "CASE_HANDLE_DAYS": 20},
        )
        admin = _user(f"admin{n}", Role.BUREAU_ADMIN, f"{name}专班负责人", county_id=county.pk)
        officer = _user(f"tf{n}", Role.TASK_FORCE, f"{name}专班成员", county_id=county.pk)
        towns = [
            Town.objects.create(county=county, code=f"{code}{i:03d}", name=t)
            for i, t in enumerate(town_names, 1)
        ]
        own = reg.company_save(
            actor=admin,
            name=f"{name}安居物业服务有限公司",
            credit_code=_credit_code(rng),
            legal_representative="韦明",
        )
        estates: list[Estate] = []
        for i, estate_name in enumerate(rng.sample(ESTATES, 5), start=1):
            estate = reg.estate_save(
                actor=admin, town=towns[i % len(towns)], code=f"{prefix}{i:04d}", name=estate_name
            )
            company = shared if (shared is not None and i == 1) else own
            reg.contract_create(
                actor=admin,
                estate=estate,
                company=company,
                start=dt.date(2024, 1, 1),
                end=None,
                fee_per_m2=Decimal("1.10"),
                hiring="tender",
            )
            building, _ = reg.building_get_or_create(estate=estate, name="1栋")
            for u in range(6):
                unit, _ = reg.unit_upsert(
                    actor=admin, building=building, number=f"{u + 1:03d}", area=Decimal("95.00")
                )
                reg.owner_link(
                    actor=admin,
                    unit=unit,
                    name=f"{estate_name}业主{u + 1}",
                    phone=f"139{n:02d}{i:02d}{u:04d}",
                )
            estates.append(estate)
        made = 0
        for i, estate in enumerate(estates):
            category, text = TEXTS[i % len(TEXTS)]
            lead = lead_create(
                actor=DEMO,
                channel="hotline_12345",
                text=text,
                estate=estate,
                category_hint=category,
                anonymous=True,
                source_ref=f"demo-{code}-{seed}-{i}",
            ).lead
            cases.case_create_from_lead(actor=officer, lead=lead, category=category, description=text)
            made += 1
        out.write(f"  {name}：{len(estates)} 个小区，{made} 件台账事项（编号前缀 {prefix}）")
    _user("province", Role.PROVINCE_VIEWER, "省住建厅物业处")


def logins() -> list[tuple[str, str, str]]:
    """The logins of the extra counties and the province viewer (none with one county)."""
    extra = User.objects.filter(role=Role.PROVINCE_VIEWER).union(
        User.objects.filter(role__in=[Role.BUREAU_ADMIN, Role.TASK_FORCE]).exclude(
            county__code=default_county().code
        )
    )
    return [
        (u.username, DEMO_PASSWORD, f"{u.get_role_display()}（{u.display_name}）")
        for u in sorted(extra, key=lambda u: u.pk)
    ]
