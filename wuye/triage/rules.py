"""Explicit safety rules for urgency (§9), one rule per hazard family of the urgency policy (docs/triage.md).

Urgent = a present risk to life, health or safety, or a basic service cut to many households. The rules are one
half of the urgency decision; the model catches paraphrases the patterns miss (see ml.py). Each rule is
(label, kind, pattern); a hit shows the label and the matched words to staff.

Two kinds of hazard:
- an *event* (someone trapped, a lift falling, a fire, gas, a cut of water or power, sewage flooding a home): a
  habit or a past event ("经常关人", "上个月停过水") is a service failure, not an emergency, unless the text also
  says it is happening now;
- a *state* (a hydrant without water, a locked fire door, a cable hanging from a window, tiles coming off, a
  foundation dug out): it stays dangerous for as long as it lasts, so "一直" or "经常" does not make it harmless.
A sentence that says the danger is over or only hypothetical is ignored in both kinds.
"""

import re
from dataclasses import dataclass

from .text import normalize

# A few characters of anything (no sentence end) between two parts of a rule.
_GAP = r"[^。！？!?；;\n]{0,12}"
_GAP_LONG = r"[^。！？!?；;\n]{0,24}"
EVENT, STATE = "event", "state"
_FIRE_LANE = r"(消防|生命|疏散|逃生)(通道|车道|出口|楼梯|门|通道口)(?!旁|边|两边|两侧|附近)"

RULES: tuple[tuple[str, str, str], ...] = (
    (
        "电梯困人",
        EVENT,
        r"(困|关|卡)(在|住)了?[^。！？!?；;\n]{0,6}电梯|被困(?!扰)|梯内被困"
        rf"|电梯{_GAP}(困|关|卡)(住|了|着)?了?(人|老人|小孩|孩子|娃|人员|住户|我|[一二两三四五六七八九十几多0-9]+(个|名|位)?人)"
        rf"|电梯{_GAP}(出不来|呼救|停在{_GAP}(中间|之间)|拉不开|扒不开)|(卡|困|关)在{_GAP}电梯",
    ),
    (
        "电梯危险运行",
        EVENT,
        rf"电梯{_GAP}(溜梯|冲顶|蹲底|急坠|下坠|坠落|往下(掉|滑|坠)|下滑|失控|钢丝绳{_GAP}(断|响|磨))"
        rf"|(开着门|门开着|门没关|门没关好|门开着就){_GAP}(就|直接)?(走|跑|运行|往上|往下|上去|下去|开)",
    ),
    (
        "电梯被责令停用仍在运行",
        STATE,
        rf"(停用|停止使用|封停|责令停|检验不合格|不合格{_GAP}停|封条){_GAP_LONG}(照样|继续|还在|仍在|照常|照坐|还是)"
        rf"{_GAP}(跑|运行|坐|使用|用|开)"
        rf"|(撕|拆|揭)(了|掉)?{_GAP}(停用|封条|通知)",
    ),
    (
        "消防通道/安全出口被堵",
        STATE,
        rf"{_FIRE_LANE}{_GAP}(堵|占|锁|封|挡|堆|停满|停了|停车|停着|不通|焊死|铁链|车位|仓库|快递柜|摆)"
        rf"|(堵|占|锁|封|挡|堆满|停在|横在){_GAP}{_FIRE_LANE}"
        rf"|安全出口{_GAP}(锁|堵|封|焊)|(锁|堵|封|焊){_GAP}安全出口"
        rf"|防火门{_GAP}(锁|堵|堆|链|封|焊|打不开|拆)|(锁|堵|封|焊|拆){_GAP}防火门"
        rf"|(楼梯间|楼梯口|楼道|步梯){_GAP}(堆满|堆着|塞满|堵死|过不去|走不了人|锁死)",
    ),
    (
        "救援车辆受阻",
        EVENT,
        rf"(消防车|救护车|急救车|120|119){_GAP}(进不来|开不进|进不去|被堵|堵在|无法通行|过不去|出不去)",
    ),
    (
        "燃气泄漏",
        EVENT,
        rf"(燃气|煤气|天然气|液化气){_GAP}(泄漏|泄露|漏气|漏了|味|臭|刺鼻)|(闻到|一股|有){_GAP}(燃气|煤气|天然气)"
        rf"|(燃气|煤气|天然气)(管|管道|表|阀门?){_GAP}(破|裂|断|歪|漏|坏|撞)",
    ),
    (
        "消防设施失效",
        STATE,
        rf"(消火栓|消防栓|消防水带|消防水枪){_GAP}(没水|没有水|无水|一滴水|不出水|出不了水|干的|没压|是摆设|坏)"
        rf"|(消防水池|消防水泵|消防泵|消防水箱|消防总阀|总阀门?|喷淋){_GAP}(关|坏|没水|不出水|无水|停|拆|断)"
        rf"|(喷淋|烟感|报警主机|报警器|火灾报警|消防报警|消防主机|消防控制){_GAP_LONG}"
        rf"(关机|关闭|关掉|拆|拔|坏|不响|不亮|失灵|故障|停用|断电|没人值守|无人值守|没电)",
    ),
    (
        "电线裸露/漏电",
        STATE,
        rf"(电线|电缆|线路|线头|铜丝|线){_GAP}(裸露|外露|露在外面|露出来|破皮|漏电|冒火|打火|火花|冒烟|烧|滋滋|放电|垂|吊)"
        rf"|漏电|触电|放电声|(裸露|外露){_GAP}(电线|电缆)"
        rf"|(配电|电箱|电表箱|电闸|总闸|高压|变压器){_GAP}(冒烟|起火|着火|打火|火花|进水|放电|撬开|门开着|敞开|噼啪)",
    ),
    (
        "私拉电线充电",
        STATE,
        rf"(窗户|窗口|阳台|楼上|[0-9一二三四五六七八九十]+楼){_GAP}(吊|拉|挂|放|垂)(下|出)?{_GAP}(电线|线|插线板|拖线板|插排|接线板)"
        rf"|(飞线|私拉|私接|乱拉){_GAP}(电线|线|充电)|(电线|插线板|拖线板|插排){_GAP}(充电|给电瓶车|给电动车)"
        rf"|(配电间|配电房|配电柜|总闸|电表箱|电井){_GAP}(私接|私拉|接了?(电)?线|拉(了|出)?(电)?线)",
    ),
    (
        "火情",
        EVENT,
        rf"(着火|起火|失火|冒烟|烧起来|明火|火灾(?!隐患|风险|预案|演练|报警|自动报警))|(充电|电动车|电瓶车){_GAP}(自燃|爆炸|起火)",
    ),
    (
        "高空坠物",
        STATE,
        rf"高空(坠物|抛物|掉落)|(外墙|瓷砖|墙砖|(?<![地])砖头?|砖块|窗户|窗框|广告牌|招牌|空调外机|外机|支架|水泥块?|混凝土"
        rf"|构件|雨棚|挡雨棚|女儿墙|铁架|钢架|树枝|大树|路灯杆|灯杆|电线杆|屋檐|挑檐){_GAP}"
        rf"(掉下|掉落|坠落|坠下|(?<!管从外墙上)脱落|松脱|锈断|摇摇欲坠|快倒|要倒|倒下|晃|砸(伤|到|中|死|扁)|往下掉|成片(往下)?掉)"
        rf"|砸(伤|到|中|死|扁)(了)?(人|行人|车|小孩|电动车)"
        rf"|(往下|往楼下|从楼上|从窗户|从高楼|楼上){_GAP}(扔|抛|丢){_GAP}(酒瓶|瓶子|花盆|砖|石头|刀|椅子|凳子|重物|铁|玻璃)",
    ),
    (
        "坍塌/结构危险",
        STATE,
        rf"(坍塌|塌陷|垮塌|倒塌|塌了)|裂缝{_GAP}(越来越|危险|变大|变宽|越裂越)|(裂|裂缝|裂开|开裂){_GAP}(往下掉|掉灰|掉渣)"
        rf"|(围墙|挡土墙|护坡|楼梯|阳台|吊顶|天花板|顶板){_GAP}(要倒|快倒|倾斜|往外歪|塌|掉下来)"
        rf"|(挖|掏空|掏)(了)?{_GAP}(地基|地下室|地下仓库|地下空间|基础|承台|柱子)|(地基|基础|柱子){_GAP}(挖|掏空|露出|悬空)"
        rf"|(往下|向下)(开)?挖"
        rf"|(承重墙|承重柱|梁|剪力墙){_GAP}(砸|拆|打掉|凿|开洞|掏)|(砸|拆|打掉|凿)(了|掉)?{_GAP}(承重墙|承重柱|剪力墙)"
        rf"|露出(了)?钢筋",
    ),
    (
        "停水停电（整栋楼）",
        EVENT,
        r"(整栋|整幢|全楼|整个单元|整单元|整个小区|全小区|[0-9一二两三四五六七八九十几多]+(栋|幢|个单元|户|家)|这栋楼|我们楼|整栋楼)"
        r"[^。！？!?；;\n消]{0,24}(停水|停电|断水|断电|没水|没电(?!梯)|没有水|没有电(?!梯))(?!检修)"
        r"|(停水|停电|断水|断电)(了)?(已经|快|整整)?[0-9一二两三四五六七八九十几多]+(个)?(小时|天)",
    ),
    (
        "污水入户",
        EVENT,
        rf"(粪水|污水|脏水|臭水|黑水|下水道|下水|化粪池){_GAP}(反水|倒灌|返水|冒|漫|流|灌|进){_GAP}(家里|屋里|客厅|卧室|房间|厨房|卫生间|住户家)"
        rf"|(马桶|地漏|卫生间){_GAP}(反水|返水|冒出|往外冒|冒上来|冒污水|冒粪水|往外涌)"
        rf"|(家里|屋里|客厅|卧室|住户家){_GAP}(都是|全是|灌满|淹了){_GAP}(污水|粪水|臭水|脏水|黑水)"
        rf"|(水|污水|粪水|洪水)(都)?(漫|流|灌|淹)(进|到)(了)?{_GAP}(家里|客厅|卧室|屋里|房间|住户家)",
    ),
    (
        "配电房/水泵房进水",
        EVENT,
        rf"(配电房|配电室|电房|变电|水泵房|电井|强电井|地下室配电){_GAP}(进水|被淹|淹了|泡水|积水)",
    ),
    ("井盖缺失/坑洞", STATE, rf"井盖{_GAP}(丢|没了|不见|缺失|破|塌|翻|掉|碎)|(掉|摔|跌)进{_GAP}(井|坑|洞)"),
)

_COMPILED = tuple((label, kind, re.compile(pattern)) for label, kind, pattern in RULES)
LABELS: tuple[str, ...] = tuple(label for label, _, _ in RULES)

# Statements that the danger is over or hypothetical; a hit inside such a sentence is ignored.
_NEGATED = re.compile(
    r"(已经|已)(清理|疏通|修好|处理|排除|恢复|解决|拆除|清走|搬走)|没有(困人|人被困)|演练|培训|宣传|检查合格"
    r"|一旦|万一|如果|假如|要是|真要|计划停|停电检修|停水检修|提前通知|的时候|不深|不严重"
    r"|(堵|占|锁|坏|漏)过|后来[^。，,]{0,6}(清|修|拆|搬|处理)"
)
_HABITUAL = re.compile(
    r"经常|总是|老是|常常|三天两头|动不动|上个月|上次|以前|之前|去年|偶尔|前几天|前几日|曾经|曾发生|这个合理吗|合理吗"
)
_NOW = re.compile(
    r"现在|正在|刚才|刚刚|今天|今晚|昨晚|此刻|马上|立即|立刻|赶紧|快来|快派|救命|紧急|还在|随时|到现在|至今|仍"
)


@dataclass(frozen=True)
class RuleHit:
    label: str
    snippet: str


def urgent_hits(text: str) -> list[RuleHit]:
    norm = normalize(text)
    events_only_past = bool(_HABITUAL.search(norm)) and not _NOW.search(norm)
    hits: list[RuleHit] = []
    seen: set[str] = set()
    for sentence in re.split(r"[。！？!?；;\n]", norm):
        if not sentence or _NEGATED.search(sentence):
            continue
        for label, kind, rx in _COMPILED:
            if label in seen or (kind == EVENT and events_only_past):
                continue
            m = rx.search(sentence)
            if m:
                seen.add(label)
                hits.append(RuleHit(label, m.group(0)[:30]))
    return hits
