"""Revenue moves are people's: the system and the public have no declared right, and nobody acts as None."""

import datetime as dt
from typing import Any, cast

import pytest

from wuye.accounts.models import Role
from wuye.common.errors import NotAllowed
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.revenue import services
from wuye.revenue.models import Entry, EntryKind
from wuye.testing import login, make_company, make_user

from .factories import World

pytestmark = pytest.mark.django_db


def _entry(actor: Any, w: World) -> Any:
    return services.entry_create(
        actor=actor,
        estate=w.estate,
        kind=EntryKind.INCOME,
        occurred_on=dt.date(2025, 2, 1),
        amount="10",
        source="parking",
        description="停车费",
    )


@pytest.mark.parametrize(
    ("actor", "words"),
    [(SystemActor("revenue_checks"), "系统（公共收益检查）"), (PublicActor("qr"), "群众（扫码即办）")],
)
def test_the_system_and_the_public_cannot_make_an_entry(actor, words):
    w = World()
    with pytest.raises(NotAllowed, match=words):
        _entry(actor, w)
    assert not Entry.objects.exists()


def test_an_entry_without_an_actor_is_refused():
    w = World()
    with pytest.raises(TypeError):
        _entry(cast(Any, None), w)
    assert not Entry.objects.exists()


def test_another_estates_entry_and_disclosure_are_404_not_fetched_then_checked(client):
    w = World()
    entry = _entry(w.staff, w)
    disclosure = w.publish("2025Q1")
    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    assert client.get(f"/revenue/entries/{entry.pk}/reverse/").status_code == 404
    other = World()
    login(client, other.committee)
    assert (
        client.post(f"/revenue/disclosures/{disclosure.pk}/comment/", {"text": "看过了"}).status_code == 404
    )
    assert not disclosure.comments.exists()
    login(client, w.committee)
    assert (
        client.post(f"/revenue/disclosures/{disclosure.pk}/comment/", {"text": "看过了"}).status_code == 302
    )
    assert disclosure.comments.count() == 1
