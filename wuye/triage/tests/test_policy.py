"""The urgency policy of docs/triage.md: every hazard family is flagged urgent by the rules (a few phrasings each,
written for these tests), and the near misses the policy calls normal are not."""

import pytest

from wuye.triage import rules

FAMILIES = {
    "电梯困人": ["老妈卡在电梯里了，电梯停在两层之间", "5号楼电梯关了三个人，按警铃没人理"],
    "电梯危险运行": ["电梯门开着就往下走了，吓死人", "电梯突然往下滑了好几层才停"],
    "电梯被责令停用仍在运行": [
        "电梯检验不合格被责令停止使用，物业还是照样开着让人坐",
        "特检所贴的停用通知被人撕了，电梯继续在跑",
    ],
    "燃气泄漏": ["厨房外面的天然气管道裂了在漏气", "整个楼道一股煤气味，很刺鼻"],
    "消防设施失效": [
        "小区的消火栓全部没水，打开一滴都不出",
        "消防水池的总阀门被物业关了",
        "车库的喷淋坏了好几个月",
        "火灾报警主机被物业关机了",
    ],
    "消防通道/安全出口被堵": [
        "消防车道被一排私家车堵死了",
        "防火门被业主用铁链锁住了",
        "楼梯间堆满了旧家具，人都过不去",
    ],
    "私拉电线充电": ["七楼有人从窗户吊下一根插线板给电瓶车充电", "有人从总闸私接电线拉到外面充电"],
    "电线裸露/漏电": ["楼道里电线裸露还在打火", "单元门口的电箱在冒烟"],
    "高空坠物": ["外墙瓷砖掉下来砸到了行人", "12楼窗户整框松脱在晃", "有人从楼上往下扔花盆"],
    "坍塌/结构危险": [
        "一楼住户私自挖地下室，把地基都挖出来了",
        "楼上装修把承重墙砸了一半",
        "挡土墙的裂缝越来越宽",
    ],
    "停水停电（整栋楼）": ["我们整栋楼停水两天了，没人管", "3栋从昨晚开始整栋楼停电"],
    "污水入户": ["下水道返水，粪水流进了一楼住户家里", "卫生间地漏往外冒污水"],
    "配电房/水泵房进水": ["暴雨把地下配电房淹了"],
    "救援车辆受阻": ["救护车被堵在小区门口进不来"],
}


@pytest.mark.parametrize("label,text", [(label, text) for label, texts in FAMILIES.items() for text in texts])
def test_each_hazard_family_of_the_policy_is_flagged_urgent_by_its_rule(label, text):
    assert label in [h.label for h in rules.urgent_hits(text)]


def test_every_rule_of_the_rules_layer_has_a_family_test():
    assert set(rules.LABELS) - {"火情", "井盖缺失/坑洞"} <= set(FAMILIES)


@pytest.mark.parametrize(
    "text",
    [
        "上个月电梯困过一次人，物业到现在没给说法",  # a past event
        "之前楼道停过一次电，很快就恢复了",  # a past event
        "供电公司计划停电检修，希望提前通知",  # an announced outage
        "灭火器过期了，希望物业换一下",  # not an out-of-action fire system
        "消防通道旁边的绿地被改成了车位",  # beside the lane, not on it
        "楼道的地砖松了，踩上去会翘",  # floor tiles are not falling objects
        "厨房排烟道堵了，油烟倒灌进家里",  # not sewage
        "如果消防栓没水，万一着火怎么办",  # hypothetical
    ],
)
def test_near_misses_the_policy_calls_normal_are_not_flagged(text):
    assert rules.urgent_hits(text) == []


def test_a_lasting_hazard_stays_urgent_even_when_it_has_lasted_long():
    # a blocked fire lane or a dry hydrant is as dangerous in its third month as on its first day
    assert rules.urgent_hits("消防通道长期被占，经常堵得死死的，物业不管")
    assert rules.urgent_hits("去年就发现消火栓没水了，到现在还是没水")


def test_the_model_flags_each_family_urgent_through_rules_or_model(mini_model):
    for label, texts in FAMILIES.items():
        for text in texts:
            p = mini_model.predict(text)
            assert p.urgent, (label, text)
            assert p.urgent_reason
