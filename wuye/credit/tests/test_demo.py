from io import StringIO

from django.core.management import call_command

from wuye.credit.models import CreditEvent, CreditObjection, Notice, NoticeStatus
from wuye.credit.scoring import explain_all


def test_the_demo_county_has_a_spread_of_levels_a_veto_each_objection_outcome_and_a_notice(db):
    out = StringIO()
    call_command("demo", "--seed", "1", "--scale", "0.05", "--quiet-logins", stdout=out)
    explanations = explain_all()
    levels = {ex.level for ex in explanations}
    assert {"AAA", "B"} <= levels and len(levels) >= min(4, len(explanations)), (
        levels
    )  # 3 companies at this scale
    assert any(ex.veto for ex in explanations)
    assert {"open", "upheld", "amended", "annulled"} <= set(
        CreditObjection.objects.values_list("status", flat=True)
    )
    assert Notice.objects.filter(status=NoticeStatus.PUBLISHED).count() == 1
    text = out.getvalue()
    assert "已发布通报 钟住建通〔" in text
    for ex in explanations:
        assert f"{ex.company.name}  {ex.score} 分  {ex.level} 级" in text
    events = CreditEvent.objects.count()
    call_command("demo", "--seed", "1", "--scale", "0.05", "--quiet-logins", stdout=StringIO())
    assert CreditEvent.objects.count() == events
