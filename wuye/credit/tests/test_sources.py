import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.cases import services as cases
from wuye.common.dates import today
from wuye.credit.models import CreditEvent
from wuye.credit.sources import SOURCES
from wuye.intake.models import QuestionnaireResponse
from wuye.intake.selectors import questionnaire
from wuye.intake.services import questionnaire_submit
from wuye.kernel.actors import PublicActor


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("photo.png", buf.getvalue(), content_type="image/png")


def _accepted(world):
    case = world.case()
    case = cases.case_submit(actor=world.staff, case=case, progress="已清理完毕", attachments=[_png()])
    return cases.case_accept(actor=world.tf, case=case, note="验收合格")


def test_a_case_accepted_well_before_its_deadline_is_good_information_and_a_failed_revisit_bad(world):
    case = _accepted(world)
    world.collect()
    batch, _ = cases.revisit_sample_draw(actor=world.tf, per_estate=1, seed=7)
    revisit = batch.revisits.get(case=case)
    cases.revisit_record(actor=world.tf, revisit=revisit, passed=False, finding="问题反弹")
    world.collect()
    assert sorted(CreditEvent.objects.values_list("type", flat=True)) == ["closed_early", "revisit_failed"]
    assert set(CreditEvent.objects.values_list("company_id", flat=True)) == {world.company.pk}


def test_owners_ratings_of_an_ended_quarter_become_one_event(world):
    answers = {q["code"]: 5 for q in questionnaire()["questions"]}
    for _ in range(5):
        questionnaire_submit(actor=PublicActor("qr"), estate=world.estate, answers=answers)
    world.collect()
    assert not CreditEvent.objects.exists()  # the quarter has not ended
    first_of_quarter = today().replace(month=3 * ((today().month - 1) // 3) + 1, day=1)
    QuestionnaireResponse.objects.update(
        created_at=dt.datetime.combine(first_of_quarter, dt.time(12)).astimezone() - dt.timedelta(days=5)
    )
    world.collect()
    event = CreditEvent.objects.get()
    assert event.type == "satisfaction_good" and event.company == world.company
    assert event.date == first_of_quarter - dt.timedelta(days=1)
    assert "平均 5.00 分" in event.summary
    world.collect()
    assert CreditEvent.objects.count() == 1


def test_every_source_yields_nothing_on_an_empty_county(db):
    assert all(list(source(today())) == [] for source in SOURCES.values())


def test_a_revenue_finding_counts_once_the_task_force_opens_a_case_on_it(world):
    from wuye.intake.services import finding_open_or_update
    from wuye.kernel.actors import SystemActor

    result = finding_open_or_update(
        actor=SystemActor("revenue_checks"),
        key=f"revenue:no_account:{world.estate.code}",
        estate=world.estate,
        category="2.1",
        text="未开设公共收益专门账户。",
        evidence={"check": "no_account"},
    )
    world.collect()
    assert not CreditEvent.objects.exists()  # an unconfirmed finding is not a record
    case = cases.case_create_from_lead(actor=world.tf, lead=result.lead, category="2.1")
    world.collect()
    event = CreditEvent.objects.get()
    assert event.type == "revenue_finding" and event.company == world.company
    assert case.number in event.summary and event.details["check"] == "no_account"
