"""Demo leads from every channel in the demo county: some new (work for the triage queue), tracking codes printed.

Deterministic for a seed and idempotent: every lead has a `demo:` source_ref, so a second run creates nothing.
"""

import random
from collections import Counter
from typing import Any

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.kernel.actors import SystemActor
from wuye.registry.models import Estate

from .hotline import hotline_import
from .models import Channel, Inspection, Lead, Open311Client, QuestionnaireResponse
from .selectors import inspection_checklist, questionnaire
from .services import inspection_submit, lead_create, questionnaire_submit

DEMO = SystemActor("demo")

OPEN311_DEMO_KEY = "demo-open311-key"

QR_TEXTS = [
    ("3.1", "{b}电梯这个月停了四次，上周还困了人半个小时，物业说等配件。"),
    ("1.3", "地下车库消防通道长期被车辆占用，消防栓箱也是空的。"),
    ("2.3", "电梯里的广告屏和门口快递柜收的钱从来没有公示过。"),
    ("4", "物业在小区主干道划线收费停车，业主自己的车反而没地方停。"),
    ("1.1", "{b}楼道垃圾三天没人收，绿化带里杂草比人高。"),
]
PHONE_TEXTS = [
    ("5", "来电反映：原物业合同到期后拒不撤场，也不移交物业用房和资料。"),
    ("6", "来电反映：小区维修资金被用来给物业办公室装修，没有经过业主表决。"),
]
STATION_TEXT = ("2.2", "收集站登记：物业把小区架空层出租给培训机构，业主不知情。")
HOTLINE_CSV = (
    "钟山县12345政务服务便民热线工单导出\n"
    "工单号,来电时间,来电人,来电号码,事发地址,问题描述,办结时限\n"
    "DEMO-12345-0001,2025/6/9 10:12,刘女士,13907740001,{a0},电梯维保记录一个多月没更新，经常坏。,2025/6/16\n"
    "DEMO-12345-0002,2025年6月10日 15时30分,,,{a1},物业私自在公共绿地上建停车位收费。,2025/6/17\n"
)
SURNAMES = "李王张刘陈杨黄赵吴周"


@transaction.atomic
def build(*, seed: int, scale: float, out: Any) -> None:
    estates = list(Estate.objects.select_related("town").order_by("code"))
    if not estates:
        out.write("  线索：没有小区，跳过")
        return
    rng = random.Random(seed)
    before = Lead.objects.count()
    made: Counter[str] = Counter()
    codes: list[str] = []

    def add(key: str, **kwargs: Any) -> Lead:
        result = lead_create(actor=DEMO, source_ref=f"demo:{key}", **kwargs)
        if result.created:
            made[kwargs["channel"]] += 1
        return result.lead

    for i, (cat, text) in enumerate(QR_TEXTS):
        estate = estates[(i * 7) % len(estates)]
        anonymous = i % 2 == 1
        lead = add(
            f"qr:{i}",
            channel=Channel.QR,
            estate=estate,
            category_hint=cat,
            text=text.format(b=f"{rng.randint(1, 6)}栋"),
            anonymous=anonymous,
            complainant_name="" if anonymous else rng.choice(SURNAMES) + "女士",
            complainant_phone="" if anonymous else f"1390774{rng.randint(1000, 9999)}",
        )
        codes.append(lead.tracking_code)
    for i, (cat, text) in enumerate(PHONE_TEXTS):
        add(
            f"phone:{i}",
            channel=Channel.PHONE,
            estate=estates[(i * 11 + 3) % len(estates)],
            category_hint=cat,
            text=text,
            complainant_name=rng.choice(SURNAMES) + "先生",
            complainant_phone=f"0774-89{rng.randint(10000, 99999)}",
        )
    add(
        "station:0",
        channel=Channel.COLLECTION_STATION,
        estate=estates[5 % len(estates)],
        category_hint=STATION_TEXT[0],
        text=STATION_TEXT[1],
    )
    add(
        "email:0",
        channel=Channel.EMAIL,
        estate=estates[9 % len(estates)],
        category_hint="2.1",
        text="举报：小区至今没有开设公共收益专门账户，广告收入进了物业公司账户。",
        evidence={"subject": "关于公共收益账户的举报"},
    )
    add(
        "web:0",
        channel=Channel.WEB,
        estate=estates[13 % len(estates)],
        category_hint="3.2",
        text="公众号留言：小区2003年的电梯还没有申报更新改造。",
    )
    csv_text = HOTLINE_CSV.format(
        a0=f"{estates[1].town.name}{estates[1].name}", a1=f"{estates[2].town.name}{estates[2].name[:2]}片区"
    )
    report = hotline_import(actor=DEMO, data=csv_text.encode("gb18030"), filename="demo-12345.csv")
    made[Channel.HOTLINE_12345] += report.imported

    inspector = User.objects.filter(role=Role.TASK_FORCE).order_by("id").first()
    if inspector is not None and not Inspection.objects.exists():
        items = inspection_checklist()["items"]
        results = {i["code"]: {"result": "pass", "note": ""} for i in items}
        results["fire_lane"] = {"result": "fail", "note": "2栋消防通道停放车辆 3 辆"}
        results["revenue_notice"] = {"result": "fail", "note": "公告栏无公共收益公示"}
        inspection_submit(actor=inspector, estate=estates[0], results=results)
        made[Channel.INSPECTION] += 2
    if not QuestionnaireResponse.objects.exists():
        qs = [q["code"] for q in questionnaire()["questions"]]
        for i in range(max(6, round(24 * scale))):
            estate = estates[i % min(len(estates), 8)]
            base = 2 + (i % 4)
            questionnaire_submit(
                actor=DEMO,
                estate=estate,
                idem_key=f"demo-q-{seed}-{i:04d}",
                answers={c: max(1, min(5, base + rng.choice((-1, 0, 0, 1)))) for c in qs},
                problem="保安夜间经常不在岗。" if i == 3 else "",
            )
        made[Channel.QUESTIONNAIRE] += 1
    Open311Client.objects.get_or_create(api_key=OPEN311_DEMO_KEY, defaults={"name": "演示客户端（仅本机）"})
    added = Lead.objects.count() - before
    parts = "、".join(f"{Channel(c).label.split(' ')[0]} {n}" for c, n in sorted(made.items()) if n)
    out.write(
        f"  线索：新建 {added} 条{'（' + parts + '）' if parts else ''}；扫码查询码示例 "
        f"{'、'.join(codes[:3])}（/track/）；Open311 演示 api_key {OPEN311_DEMO_KEY}"
    )
