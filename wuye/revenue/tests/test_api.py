import datetime as dt

import pytest

from wuye.accounts.models import Role
from wuye.testing import login, make_user

from .factories import World

pytestmark = pytest.mark.django_db


def test_public_statement_api_lets_owners_recheck_the_balance(client):
    w = World()
    w.income("100.00", dt.date(2025, 1, 3), counterparty="李四")
    e = w.income("40.00", dt.date(2025, 2, 3))
    w.publish("2025Q1")
    from wuye.revenue import services

    services.entry_reverse(actor=w.staff, entry=e, reason="录重")
    data = client.get(f"/api/v1/revenue/statements/{w.estate.code}/2025Q1/").json()
    assert data["published"]["closing"] == "140.00" == data["current"]["closing"]
    assert data["published"]["digest"] == data["current"]["digest"]
    assert [x["balance"] for x in data["lines"]] == ["100.00", "140.00"]
    assert data["lines"][0]["counterparty"] == "李*"
    assert client.get(f"/api/v1/revenue/statements/{w.estate.code}/2025Q2/").status_code == 404


def test_compliance_api_is_for_county_roles(client):
    w = World()
    assert login(client, w.staff).get("/api/v1/revenue/compliance/").status_code == 403
    data = login(client, make_user(Role.CITY_VIEWER)).get("/api/v1/revenue/compliance/").json()
    assert [r["code"] for r in data] == [w.estate.code] and data[0]["account_status"] == "pending"
