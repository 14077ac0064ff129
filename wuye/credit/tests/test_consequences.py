import io
import re

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from wuye.common.dates import today
from wuye.credit.selectors import last_quarters, standings
from wuye.credit.services import credit_events_collect
from wuye.testing import login

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
NAMES = ("张法人", "赵经理", "钱科长", "李四", "王经理", "测试业主")


def _standing(world):
    return next(s for s in standings() if s.explanation.company == world.company)


def _estate_page(world):
    return Client().get(reverse("portal:estate", args=[world.estate.code])).content.decode()


def test_consequences_follow_a_level_change(world):
    world.record("commendation")
    s = _standing(world)
    assert s.explanation.level == "AA" and s.eligible
    page = _estate_page(world)
    assert "信用等级：<strong>AA 级</strong>" in page and "警示名单" not in page
    world.penalty(number="钟住建罚〔2026〕1号")
    world.penalty(number="钟住建罚〔2026〕2号")
    world.collect()
    s = _standing(world)
    assert s.explanation.level == "B" and not s.eligible
    assert s.reasons == ["信用等级为 B 级（65 分）"]
    page = _estate_page(world)
    assert "B 级</strong>" in page and "警示名单" in page
    assert page.index("<h2>信用警示</h2>") < page.index("<h2>物业服务</h2>")  # a warning section comes first
    tf = login(Client(), world.tf)
    honours = tf.get(reverse("credit:honours")).content.decode()
    assert "不得参加" in honours and "信用等级为 B 级（65 分）" in honours
    xlsx = tf.get(reverse("credit:joint_export"))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][:6] == ("企业名称", "统一社会信用代码", "信用等级", "信用分", "限制原因", "依据")
    assert [r[0] for r in rows[2:]] == [world.company.name]
    assert "物业服务企业信用信息管理办法" in rows[2][5]


def test_a_restriction_on_honours_bars_an_otherwise_eligible_company(world):
    from wuye.cases import services as cases

    world.record("commendation")
    world.record("commendation")
    cases.case_action_record(actor=world.tf, case=world.case(), kind="restrict_honours", date=today())
    credit_events_collect(actor=world.tf)
    s = _standing(world)
    assert s.explanation.level == "AA" and not s.eligible and s.reasons[0].startswith("被限制评优评先")
    assert s.restrictions[0][1].startswith("《物业管理条例》")


def test_public_pages_show_no_phone_numbers_or_names_and_need_no_javascript(world):
    world.penalty()
    world.interview()
    world.record("fund_misuse", company=world.other_company, text="挪用专项维修资金")
    world.collect()
    anonymous = Client()
    pages = {
        "credit list": reverse("credit:public_list"),
        "company page": reverse("credit:company_public", args=[world.company.credit_code]),
        "exposure": reverse("credit:exposure"),
        "exposure feed": reverse("credit:exposure_feed"),
        "quarter list": reverse("credit:red_black", args=[last_quarters()[0]]),
    }
    for label, url in pages.items():
        resp = anonymous.get(url)
        assert resp.status_code == 200, label
        text = resp.content.decode()
        assert not PHONE.search(text.replace(world.company.credit_code, "")), label
        assert not [n for n in NAMES if n in text], label
        assert "楼道垃圾" not in text, label  # no complaint text
    exposure = anonymous.get(pages["exposure"]).content.decode()
    body = re.sub(r"<script.*?</script>", "", exposure, flags=re.S)  # what a browser without JavaScript shows
    assert "钟住建罚〔2026〕1号" in body and "《物业管理条例》第六十三条" in body and "5000.00" in body
    assert "企业负责人被约谈" in body
    company = anonymous.get(pages["company page"]).content.decode()
    assert "行政处罚" in company and "合计" in company
    assert "一票否决" in anonymous.get(pages["credit list"]).content.decode()
    feed = anonymous.get(pages["exposure feed"])
    assert feed["Content-Type"].startswith("application/atom+xml") and "<entry>" in feed.content.decode()


def test_exposure_filters_by_year_and_company(world):
    world.penalty()
    world.penalty(estate=world.other_estate, number="钟住建罚〔2026〕9号")
    world.collect()
    page = Client().get(reverse("credit:exposure"), {"company": world.other_company.pk}).content.decode()
    tbody = page.split("<tbody>")[1]
    assert "钟住建罚〔2026〕9号" in tbody and "钟住建罚〔2026〕1号" not in tbody
    page = Client().get(reverse("credit:exposure"), {"year": "2001"}).content.decode()
    assert "暂无" in page.split("<tbody>")[1]


def test_the_public_credit_list_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wuye.testing import make_company

    world.penalty()
    world.collect()
    with CaptureQueriesContext(connection) as few:
        Client().get(reverse("credit:public_list"))
    for _ in range(4):
        make_company()
    world.penalty(estate=world.other_estate, number="钟住建罚〔2026〕5号")
    world.collect()
    with django_assert_max_num_queries(len(few.captured_queries)):
        Client().get(reverse("credit:public_list"))
