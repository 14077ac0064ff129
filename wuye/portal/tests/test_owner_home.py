"""An owner's own page: their complaints with status and tracking code, their estate's disclosures, assemblies."""

import uuid

import pytest
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor
from wuye.registry.models import Owner
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_world():
    estate = make_estate(company=make_company(), name="阳光花园", units=2)
    owner = Owner.objects.filter(ownerships__unit__estate=estate).order_by("id").first()
    user = make_user(Role.OWNER, owner=owner)
    return estate, owner, user


def test_an_owner_sees_their_complaints_estate_and_assemblies_and_no_workbench(client, owner_world):
    estate, owner, user = owner_world
    mine = qr_submit(
        actor=PublicActor("qr"),
        estate=estate,
        text="楼道灯坏了一个月",
        phone=owner.phone,
        idem_key=uuid.uuid4().hex,
    ).lead
    anonymous = qr_submit(
        actor=PublicActor("qr"),
        estate=estate,
        text="匿名反映车位被占",
        anonymous=True,
        idem_key=uuid.uuid4().hex,
    ).lead
    others = qr_submit(
        actor=PublicActor("qr"),
        estate=estate,
        text="别人反映的问题",
        phone="13900001111",
        idem_key=uuid.uuid4().hex,
    ).lead
    login(client, user)
    page = client.get("/").content.decode()
    assert "<h1>我的主页</h1>" in page and "工作台" not in page
    assert mine.tracking_code in page and "楼道灯坏了一个月" in page and "已收到，等待专班分拣" in page
    assert anonymous.tracking_code not in page and others.tracking_code not in page
    assert "阳光花园" in page and "物业尚未公示公共收益收支" in page and "业主大会表决" in page
    assert reverse("portal:report") in page


def test_the_web_form_filed_while_logged_in_is_listed_too(client, owner_world):
    estate, owner, user = owner_world
    login(client, user)
    client.post(
        reverse("portal:report"), {"text": "垃圾没人清", "estate": "阳光花园", "idem": uuid.uuid4().hex}
    )
    assert "垃圾没人清" in client.get("/").content.decode()


def test_staff_keep_their_workbench(client, owner_world):
    login(client, make_user(Role.TASK_FORCE))
    page = client.get("/").content.decode()
    assert "<h1>工作台</h1>" in page and "我的反映" not in page
