import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from wuye.common.dates import today
from wuye.common.errors import InvalidTransition, NotAllowed
from wuye.credit.models import CreditEvent, Notice
from wuye.credit.services import notice_publish, notice_save
from wuye.testing import login, run_concurrently

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_task_force_drafts_previews_publishes_and_exports_a_numbered_notice(world):
    world.penalty()
    world.collect()
    event = CreditEvent.objects.get()
    tf = login(Client(), world.tf)
    form = tf.get(reverse("credit:notice_new")).content.decode()
    assert f"event:{event.pk}" in form
    resp = tf.post(
        reverse("credit:notice_new"), {"title": "", "body": "正文", "picks": [f"event:{event.pk}"]}
    )
    assert "标题" in resp.content.decode() and not Notice.objects.exists()
    resp = tf.post(
        reverse("credit:notice_new"),
        {
            "title": "关于物业服务违法违规问题的通报",
            "body": "现将有关情况通报如下。",
            "picks": [f"event:{event.pk}"],
        },
    )
    notice = Notice.objects.get()
    assert resp["Location"] == reverse("credit:notice_preview", args=[notice.pk])
    preview = tf.get(resp["Location"]).content.decode()
    assert "预览" in preview and "被处以罚款" in preview
    assert Client().get(reverse("credit:notices_public")).content.decode().count("关于物业服务") == 0
    resp = tf.post(reverse("credit:notice_publish", args=[notice.pk]))
    notice.refresh_from_db()
    year = today().year
    assert notice.number == f"钟住建通〔{year}〕1号" and notice.seq == 1
    page = Client().get(resp["Location"]).content.decode()
    assert notice.number in page and "被处以罚款" in page
    assert not PHONE.search(page) and "赵经理" not in page and "张法人" not in page
    pdf = Client().get(reverse("credit:notice_pdf", args=[year, 1]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"/FontFile2" in pdf.content and b"STSong" not in pdf.content
    with pytest.raises(InvalidTransition):
        notice_save(actor=world.tf, notice=notice, title="改标题", body="改", items=[])
    with pytest.raises(NotAllowed):
        notice_save(actor=world.staff, title="企业不能起草", body="正文", items=[])
    assert login(Client(), world.staff).get(reverse("credit:notice_new")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_get_consecutive_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")
    notices = [notice_save(actor=world.tf, title=f"通报{i}", body="正文", items=[]) for i in range(3)]
    results = run_concurrently(*[lambda n=n: notice_publish(actor=world.tf, notice=n) for n in notices])
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(Notice.objects.values_list("seq", flat=True)) == [1, 2, 3]
