from wuye.testing import login
from wuye.voting import services

from .test_flow import close
from .test_results import cast_all


def test_the_api_lists_only_assemblies_the_user_may_see(world, client) -> None:
    a = world.assembly()
    login(client, world.committee)
    assert [row["id"] for row in client.get("/api/v1/voting/assemblies/").json()] == [a.pk]
    login(client, world.other_committee)
    assert client.get("/api/v1/voting/assemblies/").json() == []
    login(client, world.company_staff)
    assert client.get("/api/v1/voting/assemblies/").status_code == 403


def test_participation_is_for_the_committee_and_shows_no_choices(world, client) -> None:
    a = world.assembly()
    services.ballot_cast(actor=world.owner_users[2], assembly=a, choices={"M1": "agree", "M2": "agree"})
    login(client, world.committee)
    data = client.get(f"/api/v1/voting/assemblies/{a.pk}/participation/").json()
    assert data["persons"] == 1 and data["total_persons"] == 7 and data["area"] == "100.00"
    assert "agree" not in str(data)
    login(client, world.owner_users[0])
    assert client.get(f"/api/v1/voting/assemblies/{a.pk}/participation/").status_code == 403


def test_a_published_result_is_public_through_the_api(world, client) -> None:
    a = world.assembly()
    cast_all(world, a, client)
    close(world, a)
    client.logout()
    assert client.get(f"/api/v1/voting/assemblies/{a.pk}/result/").status_code == 404
    services.assembly_publish(actor=world.committee, assembly=a)
    data = client.get(f"/api/v1/voting/assemblies/{a.pk}/result/").json()
    assert data["digest"] == a.digest and [m["passed"] for m in data["motions"]] == [True, False]
