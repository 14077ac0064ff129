"""Voting moves are people's: the system and the public are refused, nobody acts as None; reads are scoped."""

import datetime as dt
from typing import Any, cast

import pytest
from django.urls import reverse

from wuye.common.dates import now
from wuye.common.errors import NotAllowed
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.testing import login
from wuye.voting import services
from wuye.voting.models import Assembly, Motion

pytestmark = pytest.mark.django_db


def test_the_system_and_the_public_cannot_convene_an_assembly(world) -> None:
    start, end = now() + dt.timedelta(days=1), now() + dt.timedelta(days=8)
    kw = {"estate": world.estate, "title": "选聘物业", "notice": "公告", "vote_start": start, "vote_end": end}
    with pytest.raises(NotAllowed, match="系统（演示数据）"):
        services.assembly_create(actor=SystemActor("demo"), **kw)
    with pytest.raises(NotAllowed, match="群众（扫码即办）"):
        services.assembly_create(actor=PublicActor("qr"), **kw)
    with pytest.raises(TypeError):
        services.assembly_create(actor=cast(Any, None), **kw)
    assert not Assembly.objects.exists()


def test_another_estates_motion_and_objection_are_404(world, client) -> None:
    login(client, world.committee)
    assembly = services.assembly_create(
        actor=world.committee,
        estate=world.estate,
        title="续聘物业",
        notice="公告",
        vote_start=now() + dt.timedelta(days=1),
        vote_end=now() + dt.timedelta(days=8),
    )
    motion = services.motion_add(actor=world.committee, assembly=assembly, item=4, title="续聘")
    login(client, world.other_committee)
    assert client.post(reverse("voting:motion_remove", args=[motion.pk])).status_code == 404
    assert Motion.objects.filter(pk=motion.pk).exists()
