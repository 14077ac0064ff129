"""Templates and vocabularies for generated training complaints (see scripts/triage_corpus.py).

A *situation* is one problem (class, urgency, two or three ways of stating it, what the company said, what is
asked); a *voice* wraps it the way one channel writes: a 留言板 letter, a hotline operator's summary, a news item, a
WeChat message, a voice transcript, a one-liner. Slots in braces are filled from the vocabularies below.
"""

from __future__ import annotations

import random
import re

from scripts.triage_situations import CLASSES

TOWNS = (
    "钟山镇",
    "公安镇",
    "回龙镇",
    "石龙镇",
    "凤翔镇",
    "珊瑚镇",
    "同古镇",
    "燕塘镇",
    "清塘镇",
    "红花镇",
    "两安乡",
    "花山乡",
)
ESTATES = (
    "龙溪雅苑",
    "荷塘月色",
    "富江新城",
    "南山名府",
    "青云小区",
    "桂岭华庭",
    "东湖花园",
    "兴隆家园",
    "瑞丰苑",
    "碧桂山庄",
    "康乐小区",
    "富民新村",
    "金湾府",
    "西城一品",
    "明珠花园",
    "学府壹号",
    "滨江豪庭",
    "祥和苑",
    "铁路宿舍",
    "粮食局宿舍",
    "供销社小区",
    "建安里",
    "文昌阁小区",
    "锦华苑",
)
SURNAMES = "陈李黄梁莫覃韦罗廖钟邓蒙周吴潘刘"
COMPANIES = (
    "恒安物业",
    "顺心物业",
    "嘉和物业服务公司",
    "鑫诚物业",
    "开发商下属物业公司",
    "万家物业",
    "安居物业",
)
DURATIONS = ("半个月", "二十多天", "一个多月", "两个月", "大半年", "快一年", "一年多", "两三年", "三年多")
TIMES = ("今天早上", "今天下午", "刚才", "昨天夜里到现在", "今晚七点多", "一个小时前", "中午")
WHO = ("业主", "住户", "租户", "退休老人", "宝妈", "老党员", "楼长", "业委会委员")


def _slots(rng: random.Random) -> dict[str, str]:
    n = rng.randint(2, 18)
    return {
        "town": rng.choice(TOWNS),
        "estate": rng.choice(ESTATES),
        "bldg": f"{n}{rng.choice(['栋', '号楼', '幢', '栋'])}",
        "unit": f"{rng.randint(1, 4)}单元",
        "floor": str(rng.randint(6, 28)),
        "low": str(rng.randint(2, 5)),
        "n": str(rng.randint(3, 12)),
        "hh": str(rng.choice([16, 24, 32, 48, 60, 72, 96, 120])),
        "dur": rng.choice(DURATIONS),
        "time": rng.choice(TIMES),
        "money": str(rng.choice([8, 12, 15, 20, 26, 35, 48, 60, 80])),
        "pct": str(rng.choice([30, 40, 50, 60, 70, 80])),
        "year": str(rng.choice([2005, 2008, 2010, 2012, 2015, 2016, 2018, 2019])),
        "month": str(rng.randint(1, 12)),
        "day": str(rng.randint(1, 28)),
        "surname": rng.choice(SURNAMES),
        "company": rng.choice(COMPANIES),
        "who": rng.choice(WHO),
    }


SECONDARY = {
    "1.1": ("楼道卫生也没人搞", "草地也没人管", "门禁坏了也不修"),
    "1.2": ("收费标准也从来不公开",),
    "2.3": ("广告费收了多少也从来不公示", "公共收益账目也看不到"),
    "4": ("车位也难找", "晚上停车也是一团乱"),
    "7": ("物业的人态度也很差", "物业费还说要涨"),
    "3.1": ("电梯也三天两头坏",),
}

# --- voices ------------------------------------------------------------------------------------------------------


def _third_person(text: str) -> str:
    return (
        text.replace("我们小区", "其所在小区")
        .replace("我们", "其")
        .replace("我家", "其家")
        .replace("我", "其")
    )


def _strip_punct(text: str) -> str:
    return re.sub(r"[，。！？、；：“”（）!?,.]", " ", text).replace("  ", " ").strip()


def _board(rng, s, core, quote, extra, ask):
    title = rng.choice(["县长信箱：", "致县住建局：", "【网络问政】", "给书记留言：", "书记县长您好！", ""])
    who = f"我是{s['town']}{s['estate']}{s['bldg']}的{s['who']}{s['surname']}某。"
    history = rng.choice(
        [f"我们{s['year']}年交房，", f"入住{s['n']}年了，", f"从今年{s['month']}月开始，", ""]
    )
    end = rng.choice(["盼回复。", "谢谢！", "万分感谢！", "望早日解决！", "期待答复。"])
    return f"{title}{who}{history}{core}。{quote}{extra}{ask}{end}"


def _hotline(rng, s, core, quote, extra, ask):
    head = rng.choice(["热线工单｜", "12345转办单：", "便民热线记录：", "市民服务热线：", "工单摘要："])
    caller = rng.choice(
        [f"{s['surname']}女士", f"{s['surname']}先生", "一位市民", "匿名来电人", "一名老年人"]
    )
    where = rng.choice([f"{s['town']}{s['estate']}", s["estate"], f"{s['town']}某小区"])
    q = _third_person(quote)
    want = _third_person(ask).removeprefix("这次主要是").removeprefix("请")
    return f"{head}{caller}来电，称{where}{_third_person(core)}。{q}{_third_person(extra)}来电人希望{want}"


def _media(rng, s, core, quote, extra, ask):
    outlet = rng.choice(
        ["《贺州日报》民生热线", "县融媒体“帮帮团”", "本台《百姓直通车》", "网友爆料", "某短视频博主"]
    )
    resp = rng.choice(["表示会尽快处理", "称不清楚情况", "没有回应", "称正在协调", "拒绝接受采访"])
    contact = f"记者联系{s['company']}，对方{resp}。" if quote else rng.choice(["记者将持续关注。", ""])
    return f"{outlet}：{s['town']}{s['estate']}的{s['who']}{s['surname']}女士反映，{core}。{quote}{extra}{contact}"


def _wechat(rng, s, core, quote, extra, ask):
    at = rng.choice(["@物业客服 ", "@管家小李 ", "【业主群】", "转发邻居的话：", "", "各位邻居，"])
    emoji = rng.choice(["😡", "🙏", "😭", "！！", "？？？", "…", "👎"])
    return f"{at}{core}{emoji}{quote}{extra}{ask}"


def _voice(rng, s, core, quote, extra, ask):
    fill = ["呃", "那个啥", "你晓得嘛", "对头", "怎么讲呢", "就是说", "哎呀"]
    words = _strip_punct(f"{core}，{quote}{extra}{ask}").split(" ")
    out = []
    for w in words:
        out.append(w)
        if rng.random() < 0.35:
            out.append(rng.choice(fill))
    return "喂 " + " ".join(out)


def _short(rng, s, core, quote, extra, ask):
    first = re.split(r"[，。]", core)[0]
    return first + rng.choice(["", "！", "，有人管没有", "，快点处理", "。"])


VOICES = ((_board, 3), (_hotline, 3), (_media, 2), (_wechat, 3), (_voice, 2), (_short, 1))


def render_situation(code: str, situation: dict, rng: random.Random) -> tuple[str, str]:
    s = _slots(rng)
    core = rng.choice(situation["cores"]).format_map(s)
    quote = ""
    if situation["quotes"] and rng.random() < 0.7:
        said = rng.choice(situation["quotes"]).format_map(s)
        quote = rng.choice([f"物业说“{said}”。", f"物业客服原话是：“{said}”。", f"物业经理当面讲“{said}”。"])
    extra = ""
    if rng.random() < 0.35:
        others = [k for k in SECONDARY if k != code]
        g = rng.choice(SECONDARY[rng.choice(others)])
        extra = rng.choice([f"另外{g}，这个先不说。", f"（顺便提一句，{g}。）", f"还有{g}，"])
    ask = rng.choice(situation["asks"]).format_map(s) if situation["asks"] else "请督促处理。"
    if extra:
        ask = "这次主要是请" + ask.lstrip("请")
    voice = rng.choices([v for v, _ in VOICES], weights=[w for _, w in VOICES])[0]
    text = voice(rng, s, core, quote, extra, ask)
    return re.sub(r"。。+", "。", text), situation["urgency"]


__all__ = ["CLASSES", "render_situation"]
