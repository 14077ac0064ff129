import io

import pytest

from wuye.accounts import demo as accounts_demo
from wuye.registry import demo as registry_demo
from wuye.voting import demo
from wuye.voting.models import Assembly, AssemblyStatus, Ballot


@pytest.mark.django_db
def test_the_demo_builds_an_open_and_a_published_assembly_once() -> None:
    registry_demo.build(seed=1, scale=0.1, out=io.StringIO())
    accounts_demo.build(seed=1, scale=0.1, out=io.StringIO())
    out = io.StringIO()
    demo.build(seed=1, scale=0.1, out=out)
    assert "两次表决" in out.getvalue()
    opened = Assembly.objects.get(status=AssemblyStatus.OPEN)
    published = Assembly.objects.get(status=AssemblyStatus.PUBLISHED)
    assert opened.ballots.exists() and published.result and len(published.digest) == 64
    login_owner = accounts_demo.logins()[-1][0]
    assert login_owner.isdigit()  # the demo owner phone login
    assert not Ballot.objects.filter(assembly=opened, person__voters__owner__phone=login_owner).exists()
    counts = Ballot.objects.count()
    demo.build(seed=1, scale=0.1, out=io.StringIO())
    assert Ballot.objects.count() == counts and Assembly.objects.count() == 2
