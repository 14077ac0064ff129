"""Explicit safety rules for urgency (§9): an immediate risk to people, stated plainly enough for a pattern.

The rules are one half of the urgency decision; the model catches paraphrases the patterns miss (see ml.py).
Each rule is (label, pattern); a hit shows the label and the matched words to staff.
"""

import re
from dataclasses import dataclass

from .text import normalize

# A few characters of anything (no sentence end) between two parts of a rule.
_GAP = r"[^。！？!?；;\n]{0,12}"

RULES: tuple[tuple[str, str], ...] = (
    (
        "电梯困人",
        r"(困|关|卡)(在|住)了?[^。！？!?；;\n]{0,6}电梯|被困(?!扰)|梯内被困"
        rf"|电梯{_GAP}(困|关|卡)(住|了|着)?了?(人|老人|小孩|孩子|娃|人员|住户|我|[一二两三四五六七八九十几多0-9]+(个|名|位)?人)"
        rf"|电梯{_GAP}(出不来|呼救|停在{_GAP}中间|拉不开|扒不开)",
    ),
    (
        "电梯危险运行",
        rf"电梯{_GAP}(溜梯|冲顶|蹲底|急坠|下坠|坠落|往下(掉|滑|坠)|下滑|失控|钢丝绳{_GAP}(断|响|磨))"
        rf"|(开着门|门开着|门没关){_GAP}(就|直接)?(走|跑|运行|往上|往下|上去|下去)",
    ),
    (
        "消防通道/安全出口被堵",
        rf"(消防|生命|疏散|逃生)(通道|车道|出口|楼梯|门){_GAP}(堵|占|锁|封|挡|堆|停满|停了|停车|不通|焊死|铁链)"
        rf"|(堵|占|锁|封|挡|堆满){_GAP}(消防|生命|疏散|逃生)(通道|车道|出口|楼梯)"
        rf"|安全出口{_GAP}(锁|堵|封|焊)|(锁|堵|封|焊){_GAP}安全出口",
    ),
    (
        "救援车辆受阻",
        rf"(消防车|救护车|急救车|120|119){_GAP}(进不来|开不进|进不去|被堵|堵在|无法通行|过不去|出不去)",
    ),
    (
        "燃气泄漏",
        rf"(燃气|煤气|天然气|液化气){_GAP}(泄漏|泄露|漏气|漏了|味|臭|刺鼻)|(闻到|一股|有){_GAP}(燃气|煤气|天然气)"
        rf"|(燃气|煤气|天然气)(管|管道|表|阀门?){_GAP}(破|裂|断|歪|漏|坏|撞)",
    ),
    (
        "高空坠物",
        rf"高空(坠物|抛物|掉落)|(外墙|墙皮|瓷砖|墙砖|砖头?|玻璃|窗户|窗框|广告牌|招牌|空调外机|外机|支架|水泥块?|混凝土"
        rf"|构件|雨棚|挡雨棚|女儿墙|铁架|钢架|树枝|大树|路灯杆|灯杆|电线杆|屋檐|挑檐){_GAP}"
        rf"(掉下|掉落|坠落|坠下|脱落|松脱|锈断|摇摇欲坠|快倒|要倒|倒下|晃|砸(伤|到|中|死|坏))"
        rf"|砸(伤|到|中|死)(人|行人|车|小孩)|掉下来{_GAP}(伤|砸)",
    ),
    (
        "电线裸露/漏电",
        rf"(电线|电缆|线路|线){_GAP}(裸露|外露|露在外面|露出来|破皮|漏电|冒火|打火|火花|冒烟|烧|滋滋|放电|垂)"
        rf"|漏电|触电|放电声|(裸露|外露){_GAP}(电线|电缆)"
        rf"|(配电|电箱|电表箱|电闸|高压|变压器){_GAP}(冒烟|起火|着火|打火|火花|进水|放电|撬开|门开着|敞开)",
    ),
    (
        "火情",
        rf"(着火|起火|失火|冒烟|烧起来|明火|火灾(?!隐患|风险|预案|演练))|(充电|电动车|电瓶车){_GAP}(自燃|爆炸|起火)",
    ),
    (
        "坍塌/结构危险",
        rf"(坍塌|塌陷|垮塌|倒塌|塌了)|裂缝{_GAP}(越来越|危险|变大|变宽)"
        rf"|(围墙|挡土墙|护坡|楼梯|阳台|吊顶|天花板|顶板){_GAP}(要倒|快倒|倾斜|往外歪|塌|掉下来)",
    ),
    (
        "配电房/水泵房进水",
        rf"(配电房|配电室|电房|变电|水泵房|电井|强电井|地下室配电){_GAP}(进水|被淹|淹了|泡水|积水)",
    ),
    ("井盖缺失/坑洞", rf"井盖{_GAP}(丢|没了|不见|缺失|破|塌|翻|掉|碎)|(掉|摔|跌)进{_GAP}(井|坑|洞)"),
)

_COMPILED = tuple((label, re.compile(pattern)) for label, pattern in RULES)

# Statements that the danger is over or hypothetical; a hit inside such a sentence is ignored.
_NEGATED = re.compile(
    r"(已经|已)(清理|疏通|修好|处理|排除|恢复|解决)|没有(困人|人被困)|演练|培训|宣传|检查合格"
    r"|一旦|万一|如果|假如|要是|真要"
)
# A habit or a past event ("经常关人", "上个月困过人") is a service failure, not an emergency, unless the text also
# says it is happening now; the model still weighs such texts.
_HABITUAL = re.compile(
    r"经常|总是|老是|常常|三天两头|动不动|上个月|上次|以前|之前|去年|偶尔|这个合理吗|合理吗"
)
_NOW = re.compile(r"现在|正在|刚才|刚刚|今天|今晚|此刻|马上|立即|立刻|赶紧|快来|快派|救命|紧急|还在|随时")


@dataclass(frozen=True)
class RuleHit:
    label: str
    snippet: str


def urgent_hits(text: str) -> list[RuleHit]:
    norm = normalize(text)
    if _HABITUAL.search(norm) and not _NOW.search(norm):
        return []
    hits: list[RuleHit] = []
    seen: set[str] = set()
    for sentence in re.split(r"[。！？!?；;\n]", norm):
        if not sentence or _NEGATED.search(sentence):
            continue
        for label, rx in _COMPILED:
            if label in seen:
                continue
            m = rx.search(sentence)
            if m:
                seen.add(label)
                hits.append(RuleHit(label, m.group(0)[:30]))
    return hits
