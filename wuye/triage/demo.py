"""Demo data of the triage app: every new demo lead has a suggestion; a few past decisions feed the accuracy panel.

Runs after the intake demo. Leads created in bulk (no on-commit hook) or before a model existed are backfilled.
Idempotent: a second run finds every new lead suggested and the sample decisions already made.
"""

import random
from typing import Any

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.audit.models import AuditEntry
from wuye.audit.services import audit_record
from wuye.common.errors import DomainError
from wuye.intake.models import Channel, Lead, LeadStatus

from . import ml, services
from .models import Decision, Suggestion

SAMPLE_DECISIONS = 8
MARKER = "triage.demo_decisions"


def build(*, seed: int, scale: float, out: Any) -> None:
    if not ml.usable_artifact_exists():
        out.write("  智能分拣：没有可用模型，跳过（先运行 python manage.py triage_train）\n")
        return
    made = services.suggestions_backfill(actor=services.TRIAGE)
    decided = _sample_decisions(seed)
    total = Suggestion.objects.count()
    urgent = Lead.objects.filter(status=LeadStatus.NEW, urgent=True).count()
    out.write(
        f"  智能分拣：新生成建议 {made} 条（共 {total} 条），待分拣中紧急 {urgent} 条，示例处理 {decided} 条\n"
    )


def _sample_decisions(seed: int) -> int:
    """Staff decisions on a few suggested leads (accept the suggestion, sometimes correct it), made once: the first
    run leaves an audit marker, so a later run never changes the counts even if new leads arrived meanwhile."""
    if AuditEntry.objects.filter(action=MARKER).exists():
        return 0
    actor = User.objects.filter(role=Role.TASK_FORCE, is_active=True).order_by("id").first()
    if actor is None:
        return 0
    rng = random.Random(seed)
    candidates = list(
        Suggestion.objects.filter(
            decision=Decision.PENDING, lead__status=LeadStatus.NEW, lead__estate__isnull=False
        )
        .exclude(category=ml.NONE)
        .exclude(lead__channel=Channel.CHECK)
        .select_related("lead")
        .order_by("id")[:60]
    )
    rng.shuffle(candidates)
    done = 0
    for s in candidates[:SAMPLE_DECISIONS]:
        try:
            if done % 4 == 3 and len(s.top3) > 1 and s.top3[1][0] != ml.NONE:
                services.triage_correct(actor=actor, lead=s.lead, category=s.top3[1][0])
            else:
                services.triage_accept(actor=actor, lead=s.lead)
        except DomainError:
            continue
        done += 1
    with transaction.atomic():
        audit_record(
            actor=services.TRIAGE,
            action=MARKER,
            object_type="triage.demo",
            object_id=seed,
            after={"decided": done},
        )
    return done
