import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.revenue import services
from wuye.revenue.models import Disclosure, Entry, EntryKind, EntryUse, EntryVoucher, Objection
from wuye.testing import login, make_company, make_user

from .factories import World, png

pytestmark = pytest.mark.django_db
D = dt.date(2025, 2, 10)


def test_company_enters_an_entry_with_a_voucher_through_the_form(client):
    w = World()
    login(client, w.staff)
    url = reverse("revenue:entry_create", args=[w.estate.code])
    assert client.get(url).status_code == 200
    resp = client.post(
        url,
        {
            "kind": "income",
            "occurred_on": "2025-02-10",
            "amount": "1,200.50",
            "source": "elevator_ad",
            "description": "2月电梯广告",
            "counterparty": "钟山传媒广告有限公司",
            "vouchers": [png()],
        },
    )
    assert resp.status_code == 302
    e = Entry.objects.get(account=w.account)
    assert e.amount == Decimal("1200.50") and e.created_by == w.staff
    assert EntryVoucher.objects.filter(entry=e).count() == 1
    assert AuditEntry.objects.filter(action="revenue.entry_create", object_id=str(e.pk)).exists()
    page = client.get(reverse("revenue:estate", args=[w.estate.code]))
    assert "¥1,200.50" in page.content.decode()


def test_bad_input_shows_a_chinese_error_and_writes_nothing(client):
    w = World()
    login(client, w.staff)
    resp = client.post(
        reverse("revenue:entry_create", args=[w.estate.code]),
        {
            "kind": "income",
            "occurred_on": "2025-02-10",
            "amount": "一千",
            "source": "parking",
            "description": "x",
        },
    )
    assert resp.status_code == 200
    assert "金额：“一千”不是有效的金额" in resp.content.decode()
    resp = client.post(
        reverse("revenue:entry_create", args=[w.estate.code]),
        {
            "kind": "income",
            "occurred_on": "2025-02-10",
            "amount": "10",
            "source": "parking",
            "description": "x",
            "vouchers": [png("fake.png").__class__("fake.png", b"not an image", content_type="image/png")],
        },
    )
    assert "不是有效的图片或 PDF" in resp.content.decode()
    assert not Entry.objects.exists()


def test_wrong_roles_cannot_enter(client):
    w = World()
    other = make_user(Role.COMPANY_STAFF, company_id=make_company().pk)
    url = reverse("revenue:entry_create", args=[w.estate.code])
    data = {
        "kind": "income",
        "occurred_on": "2025-02-10",
        "amount": "10",
        "source": "parking",
        "description": "x",
    }
    assert login(client, other).post(url, data).status_code == 404  # not their estate: not disclosed
    assert login(client, w.committee).post(url, data).status_code == 403
    assert login(client, w.task_force).post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302  # to the login page
    assert not Entry.objects.exists()


def test_company_corrects_and_task_force_annuls_through_the_page(client):
    w = World()
    a = w.income("100.00", D)
    b = w.income("50.00", D)
    login(client, w.staff)
    resp = client.post(reverse("revenue:entry_reverse", args=[a.pk]), {"reason": "重复录入"})
    assert resp.status_code == 302
    assert Entry.objects.get(reverses=a).is_annulment is False
    login(client, w.committee)
    assert client.post(reverse("revenue:entry_reverse", args=[b.pk]), {"reason": "x"}).status_code == 403
    login(client, w.task_force)
    assert (
        client.post(reverse("revenue:entry_reverse", args=[b.pk]), {"reason": "虚列收入"}).status_code == 302
    )
    assert Entry.objects.get(reverses=b).is_annulment is True
    resp = client.post(reverse("revenue:entry_reverse", args=[b.pk]), {"reason": "again"})
    assert "已冲正，不能重复冲正" in resp.content.decode()
    assert Entry.objects.filter(account=w.account).count() == 4


def _published_world():
    w = World(units=3)
    w.income("3000.00", D, description="电梯广告一季度")
    w.income("800.00", D, source="venue", description="场地租赁", counterparty="张三丰")
    w.outgo(EntryKind.ALLOCATION, EntryUse.FUND, "1500.00", D, description="补充维修资金", vouchers=[png()])
    w.publish("2025Q1")
    return w


def test_public_page_shows_the_statement_and_no_personal_data(client):
    w = _published_world()
    owner = w.owner_user()
    e = Entry.objects.filter(account=w.account).first()
    services.objection_raise(
        actor=owner, disclosure=Disclosure.objects.get(), entry=e, text="广告费为何这么少？"
    )
    idx = client.get(reverse("revenue:public", args=[w.estate.code]))
    assert idx.status_code == 200 and "2025Q1" in idx.content.decode()
    assert w.account.number not in idx.content.decode()
    resp = client.get(reverse("revenue:public_statement", args=[w.estate.code, "2025Q1"]))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "¥2,300.00" in html  # closing balance
    assert "广告费为何这么少" in html
    private = [
        owner.owner.name,
        owner.owner.phone,
        w.staff.display_name,
        w.staff.username,
        "张三丰",
        w.account.number,
    ]
    private += [o.name for u in w.estate.units.all() for o in u.owners.all()]
    private += [o.phone for u in w.estate.units.all() for o in u.owners.all()]
    for value in private:
        assert value not in html, value
    assert "张**" in html


def test_public_statement_pdf_and_qr(client):
    w = _published_world()
    pdf = client.get(reverse("revenue:public_pdf", args=[w.estate.code, "2025Q1"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    qr = client.get(reverse("revenue:public_qr", args=[w.estate.code]))
    assert qr.status_code == 200 and b"<svg" in qr.content
    assert client.get(reverse("revenue:public_statement", args=[w.estate.code, "2025Q2"])).status_code == 404


def test_vouchers_are_public_only_once_published(client):
    w = World()
    w.income("100.00", dt.date(2025, 4, 3), vouchers=[png()])
    v = EntryVoucher.objects.get()
    url = reverse("revenue:voucher", args=[v.pk])
    assert client.get(url).status_code == 302  # not yet published: login first
    assert login(client, w.staff).get(url).status_code == 200
    client.logout()
    w.publish("2025Q2")
    assert client.get(url).status_code == 200


def test_owner_objects_within_the_period_and_company_answers(client):
    w = _published_world()
    owner = w.owner_user()
    d = Disclosure.objects.get()
    e = Entry.objects.filter(account=w.account).order_by("number").first()
    url = reverse("revenue:public_objection", args=[w.estate.code, "2025Q1"])
    login(client, owner)
    assert client.post(url, {"entry": e.pk, "text": ""}).status_code == 400
    assert (
        client.post(url, {"entry": e.pk, "text": "合同每月 1000 元，为何只入账这么多？"}).status_code == 302
    )
    obj = Objection.objects.get()
    assert obj.raised_by == owner and obj.answer_due > dt.date.today()
    stranger = World().owner_user()
    login(client, stranger)
    assert client.post(url, {"entry": e.pk, "text": "我也有意见"}).status_code == 403
    assert Objection.objects.count() == 1
    answer = reverse("revenue:objection_answer", args=[obj.pk])
    login(client, w.committee)
    assert client.post(answer, {"answer": "x"}).status_code == 403
    login(client, w.staff)
    assert client.post(answer, {"answer": "3 月广告费已于 4 月到账，记在第二季度。"}).status_code == 302
    obj.refresh_from_db()
    assert obj.status == "answered" and obj.answered_by == w.staff
    page = client.get(reverse("revenue:disclosure", args=[w.estate.code, d.period_key])).content.decode()
    assert "已于 4 月到账" in page


def test_objection_after_the_period_is_refused(client, settings):
    w = _published_world()
    owner = w.owner_user()
    d = Disclosure.objects.get()
    Disclosure.objects.filter(pk=d.pk).update(objection_until=dt.date.today() - dt.timedelta(days=1))
    login(client, owner)
    resp = client.post(
        reverse("revenue:public_objection", args=[w.estate.code, "2025Q1"]),
        {"entry": Entry.objects.first().pk, "text": "迟到的异议"},
    )
    assert resp.status_code == 400 and "异议期已于" in resp.content.decode()
    assert not Objection.objects.exists()


def test_committee_comments_on_a_disclosure(client):
    w = _published_world()
    d = Disclosure.objects.get()
    login(client, w.committee)
    resp = client.post(reverse("revenue:comment_add", args=[d.pk]), {"text": "已核对银行流水，无异议。"})
    assert resp.status_code == 302 and d.comments.count() == 1
    login(client, w.staff)
    assert client.post(reverse("revenue:comment_add", args=[d.pk]), {"text": "x"}).status_code == 403
    assert d.comments.count() == 1


def test_company_publishes_through_the_page(client):
    w = World()
    w.income("100.00", D)
    login(client, w.staff)
    resp = client.post(reverse("revenue:disclosure_publish", args=[w.estate.code]), {"period_key": "2025Q1"})
    assert resp.status_code == 302 and Disclosure.objects.filter(period_key="2025Q1").exists()
    resp = client.post(reverse("revenue:disclosure_publish", args=[w.estate.code]), {"period_key": "2025Q5"})
    assert "不是有效的公示期间" in resp.content.decode()
    login(client, w.committee)
    assert (
        client.post(
            reverse("revenue:disclosure_publish", args=[w.estate.code]), {"period_key": "2025Q2"}
        ).status_code
        == 403
    )


def test_compliance_table_and_export_for_the_task_force(client, django_assert_max_num_queries):
    World()
    _published_world()
    World(with_account=False)
    login(client, make_user(Role.TASK_FORCE))
    with django_assert_max_num_queries(12):
        resp = client.get(reverse("revenue:home"))
    html = resp.content.decode()
    assert (
        resp.status_code == 200 and "全县公共收益监管情况" in html and "未开设" in html and "2025Q1" in html
    )
    xlsx = client.get(reverse("revenue:compliance_export"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    for role_user in (World().staff, make_user(Role.COMMITTEE_MEMBER, estate_id=World().estate.pk)):
        assert login(client, role_user).get(reverse("revenue:compliance")).status_code == 403


def test_company_home_lists_only_its_estates(client):
    w = World()
    other = World()
    html = login(client, w.staff).get(reverse("revenue:home")).content.decode()
    assert w.estate.name in html and other.estate.name not in html
    assert login(client, other.staff).get(reverse("revenue:estate", args=[w.estate.code])).status_code == 404


def test_committee_home_is_its_estate(client):
    w = World()
    resp = login(client, w.committee).get(reverse("revenue:home"))
    assert resp.status_code == 302 and resp["Location"] == reverse("revenue:estate", args=[w.estate.code])


def test_account_registration_by_company_and_confirmation_by_bureau(client):
    w = World(with_account=False)
    login(client, w.staff)
    url = reverse("revenue:account_open", args=[w.estate.code])
    resp = client.post(
        url,
        {
            "bank": "桂林银行",
            "number": "12ab",
            "holder": "业委会",
            "holder_kind": "committee",
            "opened_on": "2025-01-01",
        },
    )
    assert "账号：应为 8 至 30 位数字" in resp.content.decode()
    resp = client.post(
        url,
        {
            "bank": "桂林银行",
            "number": "6601 0000 1234 5678",
            "holder": "业委会",
            "holder_kind": "committee",
            "opened_on": "2025-01-01",
        },
    )
    assert resp.status_code == 302
    w.estate.revenue_account.refresh_from_db()
    assert w.estate.revenue_account.status == "pending"
    status_url = reverse("revenue:account_status", args=[w.estate.code])
    assert client.post(status_url, {"status": "supervised"}).status_code == 403
    login(client, w.task_force)
    assert client.post(status_url, {"status": "supervised"}).status_code == 302
    w.estate.revenue_account.refresh_from_db()
    assert w.estate.revenue_account.status == "supervised"
    assert AuditEntry.objects.filter(action="revenue.account_status").count() == 1


def test_statement_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    w = _published_world()
    for i in range(20):
        w.income("1.00", dt.date(2025, 4, 1) + dt.timedelta(days=i), vouchers=[png()])
    w.publish("2025Q2")
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("revenue:public_statement", args=[w.estate.code, "2025Q2"])).status_code == 200
        )


def test_statement_lines_are_escaped(client):
    w = World()
    w.income("5.00", D, description="<script>alert(1)</script>", counterparty="<b>某公司</b>")
    w.publish("2025Q1")
    html = client.get(reverse("revenue:public_statement", args=[w.estate.code, "2025Q1"])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>某公司</b>" not in html and "&lt;b&gt;某公司&lt;/b&gt;" in html


def test_estate_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    w = World()
    res = w.resolution()
    for i in range(15):
        e = w.income("10.00", D + dt.timedelta(days=i), vouchers=[png()])
        if i % 5 == 0:
            services.entry_reverse(actor=w.staff, entry=e, reason="录错")
    w.outgo(EntryKind.ALLOCATION, EntryUse.OWNERS, "5.00", D, resolution=res)
    login(client, w.staff)
    with django_assert_max_num_queries(22):
        resp = client.get(reverse("revenue:estate", args=[w.estate.code]))
    assert resp.status_code == 200 and "已冲正" in resp.content.decode()


def test_estate_page_shows_expected_and_recorded_contract_income(client):
    w = World()
    contract = w.contract("1000", resolution=w.resolution())
    w.income("1000.00", dt.date(2025, 1, 5), usage_contract=contract)
    html = login(client, w.committee).get(reverse("revenue:estate", args=[w.estate.code])).content.decode()
    assert "¥12,000.00" in html  # the whole 2025 term has passed
    assert "少 ¥11,000.00" in html


def test_owner_home_links_to_the_public_statement(client):
    w = _published_world()
    html = login(client, w.owner_user()).get(reverse("portal:home")).content.decode()
    assert reverse("revenue:public", args=[w.estate.code]) in html and "2025Q1" in html


def test_compliance_filter_shows_only_problem_estates(client):
    good = World()
    services.account_set_status(actor=good.task_force, account=good.account, status="supervised")
    bad = World(with_account=False)
    login(client, good.task_force)
    html = client.get(reverse("revenue:compliance") + "?problems=1").content.decode()
    assert bad.estate.name in html and good.estate.name not in html


def test_a_period_key_of_year_zero_is_a_404_and_a_chinese_error_not_a_500(client):
    w = _published_world()
    for name in ("revenue:public_statement", "revenue:public_pdf"):
        assert client.get(reverse(name, args=[w.estate.code, "0000-01"])).status_code == 404
    login(client, w.staff)
    resp = client.post(reverse("revenue:disclosure_publish", args=[w.estate.code]), {"period_key": "0000Q1"})
    assert resp.status_code == 200 and "不是有效的公示期间" in resp.content.decode()
    assert Disclosure.objects.count() == 1


def test_a_resubmitted_contract_or_resolution_form_records_it_once(client):
    from wuye.revenue.models import Resolution, UsageContract

    w = World()
    login(client, w.committee)
    contract = {
        "source": "elevator_ad",
        "counterparty": "某某传媒有限公司",
        "monthly_amount": "1,200",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "location": "1栋电梯",
    }
    resolution = {"title": "电梯广告经营决议", "decided_on": "2024-12-01", "item": "8"}
    for _ in range(2):
        assert (
            client.post(reverse("revenue:contract_create", args=[w.estate.code]), contract).status_code == 302
        )
        assert (
            client.post(reverse("revenue:resolution_create", args=[w.estate.code]), resolution).status_code
            == 302
        )
    assert UsageContract.objects.filter(estate=w.estate).count() == 1
    assert Resolution.objects.filter(estate=w.estate).count() == 1
    contract["monthly_amount"] = "1,500"
    assert client.post(reverse("revenue:contract_create", args=[w.estate.code]), contract).status_code == 302
    assert UsageContract.objects.filter(estate=w.estate).count() == 2
