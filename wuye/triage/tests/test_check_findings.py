import pytest

from wuye.intake.services import finding_open_or_update
from wuye.kernel.actors import SystemActor
from wuye.testing import make_company, make_estate
from wuye.triage.models import Suggestion
from wuye.triage.services import suggestion_create

pytestmark = pytest.mark.django_db


def test_an_automatic_check_keeps_its_rule_category_in_the_suggestion():
    estate = make_estate(company=make_company())
    # text a model might read as a complaint about fees (7) or disclosure (1.2): the rule says 6
    result = finding_open_or_update(
        actor=SystemActor("revenue_checks"),
        key="test:fund:1",
        estate=estate,
        category="6",
        text="代收的住宅专项维修资金 ¥12,000.00 逾期未上缴县住建局专户，物业费也没公示。",
        evidence={"amount": "12000.00"},
    )
    suggestion = suggestion_create(actor=SystemActor("triage"), lead_id=result.lead.pk)
    assert suggestion is not None
    assert suggestion.category == "6"
    assert suggestion.top3 == [["6", 1.0]]
    assert Suggestion.objects.get(lead=result.lead).terms == ["系统核查规则"]
