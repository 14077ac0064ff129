"""The demo county: towns, estates, companies, buildings, units, owners, contracts, committees.

Deterministic for a seed; `scale` multiplies estates and companies. Idempotent: a county that already has estates
is left as it is. Rows are bulk-inserted (12,000 units in seconds); one audit entry records the load.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from wuye.audit.services import audit_record
from wuye.common.dates import today
from wuye.kernel.actors import SystemActor

from .models import (
    Building,
    Committee,
    CommitteeMember,
    Estate,
    Owner,
    Ownership,
    PropertyCompany,
    ServiceContract,
    Town,
    Unit,
    default_county,
)
from .services import pinyin_initials
from .validators import CREDIT_CHARSET, credit_code_check_char

TOWNS = [
    ("钟山镇", "town"),
    ("回龙镇", "town"),
    ("石龙镇", "town"),
    ("凤翔镇", "town"),
    ("珊瑚镇", "town"),
    ("同古镇", "town"),
    ("公安镇", "town"),
    ("燕塘镇", "town"),
    ("清塘镇", "town"),
    ("红花镇", "town"),
]
ESTATE_WORDS = [
    "阳光",
    "翠竹",
    "金山",
    "碧水",
    "华府",
    "锦绣",
    "东城",
    "西湖",
    "龙城",
    "凤凰",
    "富江",
    "幸福",
    "和谐",
    "滨江",
    "桂花",
    "书香",
    "瑞丰",
    "紫荆",
    "香樟",
    "怡景",
    "丽都",
    "御景",
    "新城",
    "明珠",
    "财富",
    "兴隆",
    "海棠",
    "玉兰",
    "嘉园",
    "鸿福",
]
ESTATE_SUFFIX = ["花园", "小区", "苑", "家园", "名都", "华庭", "公寓", "新村"]
COMPANY_WORDS = [
    "鑫盛",
    "恒安",
    "佳美",
    "宜居",
    "安信",
    "锦程",
    "万家",
    "顺心",
    "康居",
    "诚达",
    "德润",
    "泰和",
    "广厦",
    "金钥匙",
    "绿城",
    "永安",
    "和美",
    "嘉禾",
    "众诚",
    "福满",
]
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海燕鹏辉波宁凤琴云莉婷雪慧"


def credit_code(rng: random.Random) -> str:
    body = (
        "9145"
        + "1122"
        + "".join(rng.choice(CREDIT_CHARSET[:10]) for _ in range(2))
        + "".join(rng.choice(CREDIT_CHARSET) for _ in range(7))
    )
    body = body[:17]
    return body + credit_code_check_char(body)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@transaction.atomic
def build(*, seed: int, scale: float, out: Any) -> None:
    county = default_county()
    if Estate.objects.filter(town__county=county).exists():
        out.write("  档案：已存在，跳过")
        return
    rng = random.Random(seed)
    towns = []
    for i, (name, kind) in enumerate(TOWNS[: max(3, min(len(TOWNS), round(6 * scale)))], start=1):
        towns.append(Town.objects.create(county=county, code=f"{county.code}{i:03d}", name=name, kind=kind))

    n_companies = max(3, round(15 * scale))
    companies = []
    for i in range(n_companies):
        word = COMPANY_WORDS[i % len(COMPANY_WORDS)] + (
            "" if i < len(COMPANY_WORDS) else str(i // len(COMPANY_WORDS))
        )
        companies.append(
            PropertyCompany(
                name=f"钟山县{word}物业服务有限公司",
                credit_code=credit_code(rng),
                legal_representative=person_name(rng),
                contact_person=person_name(rng),
                contact_phone=f"0774-89{rng.randint(10000, 99999)}",
                address=f"钟山县{rng.choice(TOWNS)[0]}{rng.randint(1, 200)}号",
            )
        )
    PropertyCompany.objects.bulk_create(companies)
    companies = list(PropertyCompany.objects.order_by("id"))

    n_estates = max(5, round(60 * scale))
    estates = []
    used: set[str] = set()
    for i in range(n_estates):
        while True:
            name = rng.choice(ESTATE_WORDS) + rng.choice(ESTATE_SUFFIX)
            if name not in used:
                break
            if len(used) > 200:
                name = f"{name}{i}"
                break
        used.add(name)
        town = towns[i % len(towns)]
        estates.append(
            Estate(
                town=town,
                code=f"ZS{i + 1:04d}",
                name=name,
                pinyin_initials=pinyin_initials(name),
                aliases=name[:2] + ("小区" if not name.endswith("小区") else "苑"),
                address=f"{county.name}{town.name}{rng.choice(['兴钟路', '建设路', '人民路', '新华路', '迎宾大道'])}"
                f"{rng.randint(1, 300)}号",
                developer=f"{rng.choice(COMPANY_WORDS)}房地产开发有限公司",
                built_year=rng.randint(1998, 2022),
            )
        )
    Estate.objects.bulk_create(estates)
    estates = list(Estate.objects.filter(town__county=county).order_by("code"))

    buildings = []
    for estate in estates:
        for b in range(rng.randint(2, 8)):
            buildings.append(
                Building(estate=estate, name=f"{b + 1}栋", floors=rng.choice((6, 7, 11, 18, 26)))
            )
    Building.objects.bulk_create(buildings)
    buildings = list(Building.objects.filter(estate__in=estates).order_by("estate_id", "id"))

    target_units = round(12000 * scale)
    per_building = max(4, target_units // max(1, len(buildings)))
    units = []
    for building in buildings:
        floors = building.floors or 6
        per_floor = max(1, -(-per_building // floors))
        count = 0
        for floor in range(1, floors + 1):
            for door in range(1, per_floor + 1):
                if count >= per_building:
                    break
                units.append(
                    Unit(
                        estate_id=building.estate_id,
                        building=building,
                        number=f"{floor}{door:02d}",
                        area=Decimal(rng.randint(4500, 16000)) / 100,
                        developer_held=rng.random() < 0.03,
                    )
                )
                count += 1
    Unit.objects.bulk_create(units, batch_size=2000)
    unit_rows = list(
        Unit.objects.filter(estate__in=estates)
        .order_by("id")
        .values_list("id", "estate_id", "developer_held")
    )

    owners: list[Owner] = []
    links: list[tuple[int, int]] = []  # (unit_id, owner index)
    last_owner_of_estate: dict[int, int] = {}
    for unit_id, estate_id, held in unit_rows:
        if held:
            continue
        if estate_id in last_owner_of_estate and rng.random() < 0.04:
            links.append((unit_id, last_owner_of_estate[estate_id]))  # one buyer, several units
            continue
        owners.append(Owner(name=person_name(rng), phone=f"139{len(owners):08d}"))
        links.append((unit_id, len(owners) - 1))
        last_owner_of_estate[estate_id] = len(owners) - 1
        if rng.random() < 0.08:
            owners.append(Owner(name=person_name(rng), phone=f"139{len(owners):08d}"))
            links.append((unit_id, len(owners) - 1))
    Owner.objects.bulk_create(owners, batch_size=2000)
    owner_ids = list(
        Owner.objects.filter(phone__startswith="139").order_by("id").values_list("id", flat=True)
    )
    first_of_unit: set[int] = set()
    ownerships = []
    for unit_id, idx in links:
        designated = unit_id not in first_of_unit
        first_of_unit.add(unit_id)
        ownerships.append(Ownership(unit_id=unit_id, owner_id=owner_ids[idx], is_designated_voter=designated))
    Ownership.objects.bulk_create(ownerships, batch_size=2000)

    contracts, committees = [], []
    on = today()
    for i, estate in enumerate(estates):
        if i % 9 != 8:  # a few estates have no company (自管 or vacant)
            start = dt.date(rng.randint(2019, 2024), rng.randint(1, 12), 1)
            # three-year terms, renewed while the company stays: the current term covers today (a contract
            # whose end date has passed no longer binds its company, registry.selectors.contracts_in_force)
            while start.replace(year=start.year + 3) < on:
                start = start.replace(year=start.year + 3)
            contracts.append(
                ServiceContract(
                    estate=estate,
                    company=companies[i % len(companies)],
                    start=start,
                    end=start.replace(year=start.year + 3),
                    fee_per_m2=Decimal(rng.choice(["0.80", "1.00", "1.20", "1.50", "1.80"])),
                    hiring=rng.choice(ServiceContract.Hiring.values),
                    is_current=True,
                )
            )
        if i % 3 != 2:
            start = dt.date(rng.randint(2021, 2025), rng.randint(1, 12), 1)
            committees.append(
                Committee(
                    estate=estate,
                    kind=Committee.Kind.OWNERS if i % 5 else Committee.Kind.MANAGEMENT,
                    term_start=start,
                    term_end=start.replace(year=start.year + 5),
                    has_party_org=rng.random() < 0.78,
                )
            )
    ServiceContract.objects.bulk_create(contracts)
    Committee.objects.bulk_create(committees)
    members = []
    for committee in Committee.objects.filter(estate__in=estates):
        for j in range(5):
            members.append(
                CommitteeMember(
                    committee=committee,
                    name=person_name(rng),
                    position=["chair", "vice_chair", "member", "member", "member"][j],
                    phone=f"138{committee.pk:04d}{j:04d}",
                    is_party_member=rng.random() < 0.4,
                )
            )
    CommitteeMember.objects.bulk_create(members)
    audit_record(
        actor=SystemActor("demo"),
        action="demo.registry_load",
        object_type="registry.county",
        object_id=county.code,
        after={"seed": seed, "estates": len(estates), "units": len(unit_rows), "owners": len(owners)},
    )
    out.write(
        f"  档案：{len(towns)} 个乡镇，{len(estates)} 个小区，{len(companies)} 家企业，"
        f"{len(unit_rows)} 套房屋，{len(owners)} 位业主"
    )
