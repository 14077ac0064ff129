"""Triage corpus maintenance (issue 14): relabel the corpus by the urgency policy and the category boundaries of
docs/triage.md, and generate complaints in residents' voices from templates and vocabularies.

    .venv/bin/python scripts/triage_corpus.py relabel     # rewrites wuye/triage/data/corpus/<code>.jsonl in place
    .venv/bin/python scripts/triage_corpus.py generate    # writes wuye/triage/data/corpus/<code>.voices.jsonl

Deterministic (seeded per class and situation); run `manage.py triage_split` afterwards. Every generated line
carries a "group" (class and situation): all renderings of one situation land on the same side of the split and in
the same cross-validation fold, so the held-out figures are not flattered by near-copies.

The realistic evaluation file (data/realistic.jsonl) was written by hand BEFORE this script and shares none of
its templates; never copy lines or templates from it here.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "wuye" / "triage" / "data" / "corpus"

from scripts.triage_voices import CLASSES, render_situation  # noqa: E402

# --- relabelling -------------------------------------------------------------------------------------------------

# Lines the safety rules flag that the policy still calls normal: a past or general statement, not a present risk.
NOT_URGENT = (
    "电梯困人救援要一个小时才到",
    "电梯老化严重，异响、抖动、困人什么都有",
)
# Category boundaries (docs/triage.md): (from, to, pattern).
MOVES: tuple[tuple[str, str, str], ...] = (
    # falling facade and objects from height are a safety matter (1.3), not a service lapse (1.1)
    (
        "1.1",
        "1.3",
        r"(外墙|瓷砖|墙砖|女儿墙|砖头|空调外机|外机支架|保温层|铁栏杆|窗户整框|吊顶).{0,30}(掉|落|松脱|脱落|晃|砸)",
    ),
    # the company turning common roads or green space into paid parking is 2.2, not a parking dispute (4)
    ("4", "2.2", r"(绿地|公共道路|道路上).{0,12}(车位|停车位).{0,30}(出租|收费|收钱|缴费|对外)"),
)


def _policy_urgent(text: str) -> bool:
    from wuye.triage import rules

    return bool(rules.urgent_hits(text)) and not any(text.startswith(p) for p in NOT_URGENT)


def relabel() -> None:
    changed = 0
    for path in sorted(CORPUS.glob("*.jsonl")):
        if ".voices." in path.name:
            continue
        code = path.stem
        out: dict[str, list[str]] = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            obj = json.loads(raw)
            before = (obj["category"], obj["urgency"])
            for src, dst, pattern in MOVES:
                if obj["category"] == src and re.search(pattern, obj["text"]):
                    obj["category"] = dst
            if obj["urgency"] == "normal" and _policy_urgent(obj["text"]):
                obj["urgency"] = "urgent"
            if (obj["category"], obj["urgency"]) != before:
                changed += 1
                print(f"{before[0]}/{before[1]} → {obj['category']}/{obj['urgency']}: {obj['text'][:70]}")
            out.setdefault(obj["category"], []).append(json.dumps(obj, ensure_ascii=False))
        path.write_text("\n".join(out.pop(code, [])) + "\n", encoding="utf-8")
        for other, lines in out.items():  # moved lines go to their new class file
            target = CORPUS / f"{other}.jsonl"
            existing = target.read_text(encoding="utf-8").splitlines()
            target.write_text("\n".join([*existing, *lines]) + "\n", encoding="utf-8")
    print(f"{changed} lines relabelled")


# --- generation --------------------------------------------------------------------------------------------------


def generate(per_class: int = 110, min_per_situation: int = 12) -> None:
    total = 0
    for code, situations in CLASSES.items():
        per_situation = max(min_per_situation, -(-per_class // len(situations)))
        lines: list[str] = []
        seen: set[str] = set()
        for i, situation in enumerate(situations):
            rng = random.Random(f"wuye-triage-{code}-{i}")
            for _ in range(per_situation * 3):
                text, urgency = render_situation(code, situation, rng)
                if text in seen:
                    continue
                seen.add(text)
                lines.append(
                    json.dumps(
                        {"text": text, "category": code, "urgency": urgency, "group": f"gen-{code}-{i}"},
                        ensure_ascii=False,
                    )
                )
                if sum(1 for ln in lines if f'"gen-{code}-{i}"' in ln) >= per_situation:
                    break
        (CORPUS / f"{code}.voices.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += len(lines)
        print(f"{code}: {len(lines)} lines from {len(situations)} situations")
    print(f"{total} generated lines")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "relabel":
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.local")
        django.setup()
        relabel()
    elif command == "generate":
        generate()
    else:
        sys.exit(__doc__)
