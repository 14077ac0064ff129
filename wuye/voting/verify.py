"""Re-checking a closed assembly: the digest over the published ballots, the electorate digest, each ballot
against its audit entry, and the tally recomputed from the published document by the unit-level path."""

from decimal import Decimal
from typing import Any

from wuye.audit.models import AuditEntry

from . import selectors
from .models import Assembly, Ballot
from .services import sha256_of
from .tally import ScenarioError, tally_scenario
from .thresholds import three_quarter_items

COMPARED = (
    "threshold",
    "total_area",
    "total_persons",
    "participating_area",
    "participating_persons",
    "agree_area",
    "agree_persons",
    "participation_met",
    "passed",
)
DIGEST_KEYS = ("assembly", "units", "motions", "ballots")


def compare_results(stored: list[dict[str, Any]], recomputed: list[dict[str, Any]]) -> list[str]:
    problems = []
    if [m["id"] for m in stored] != [m["id"] for m in recomputed]:
        return ["表决事项列表不一致"]
    for s, r in zip(stored, recomputed, strict=True):
        for key in COMPARED:
            a, b = s.get(key), r.get(key)
            same = Decimal(str(a)) == Decimal(str(b)) if key.endswith("_area") else a == b
            if not same:
                problems.append(f"{s['id']} 的 {key} 不一致：记录为 {a}，复算为 {b}")
    return problems


def verify_document(doc: dict[str, Any]) -> tuple[list[str], dict[str, Any] | None]:
    """Check a downloaded ballots file on its own: its digest and its result."""
    problems = []
    body = {k: doc.get(k) for k in DIGEST_KEYS}
    if doc.get("digest") and sha256_of(body) != doc["digest"]:
        problems.append("文件摘要与内容不符：选票或名册被改动过")
    try:
        recomputed = tally_scenario(body, three_quarter_items=three_quarter_items())
    except ScenarioError as exc:
        return [*problems, f"文件无法计票：{exc}"], None
    if doc.get("result"):
        problems += compare_results(doc["result"]["motions"], recomputed["motions"])
    return problems, recomputed


def verify_assembly(assembly: Assembly) -> tuple[list[str], dict[str, Any] | None]:
    problems: list[str] = []
    if not assembly.digest or not assembly.result:
        return ["该表决尚未截止计票"], None
    doc = selectors.ballots_document(assembly)
    if sha256_of(doc) != assembly.digest:
        problems.append("选票摘要与数据库中的选票不符：截止后有选票被改动、增加或删除")
    electorate = {k: doc[k] for k in ("assembly", "units", "motions")}
    if sha256_of(electorate) != assembly.electorate_digest:
        problems.append("表决名册摘要与开始投票时公布的不符")
    ballots = list(Ballot.objects.filter(assembly=assembly).values_list("pk", "receipt", "choices"))
    audited: dict[str, Any] = {}
    ids = [str(pk) for pk, _, _ in ballots]
    for i in range(0, len(ids), 5000):
        for object_id, after in AuditEntry.objects.filter(
            object_type="voting.ballot",
            action__startswith="ballot.cast",
            object_id__in=ids[i : i + 5000],
        ).values_list("object_id", "after"):
            audited[object_id] = (after or {}).get("choices_sha256")
    for pk, receipt, choices in ballots:
        if audited.get(str(pk)) != sha256_of(choices):
            problems.append(f"回执 {receipt} 的选择与投票时的审计记录不符")
    try:
        recomputed = tally_scenario(doc, three_quarter_items=three_quarter_items())
    except ScenarioError as exc:
        return [*problems, f"公示的选票无法计票：{exc}"], None
    problems += compare_results(assembly.result["motions"], recomputed["motions"])
    return problems, recomputed
