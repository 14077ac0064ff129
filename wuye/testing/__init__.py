"""Test data built through the services, as users would create it, and the concurrency helper. Shared by every
app's tests; production code never imports this package (import-linter checks it)."""

import datetime as dt
import itertools
import random
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connections

from wuye.accounts.models import Role, User
from wuye.accounts.services import staff_user_create
from wuye.kernel.actors import SystemActor
from wuye.registry import services as reg
from wuye.registry.models import (
    City,
    County,
    Estate,
    Owner,
    PropertyCompany,
    Town,
    Unit,
    default_city,
    default_county,
)
from wuye.registry.validators import CREDIT_CHARSET, credit_code_check_char

_seq = itertools.count(1)


def valid_credit_code(n: int | None = None) -> str:
    rng = random.Random(n if n is not None else next(_seq))
    body = "91451122" + "".join(rng.choice(CREDIT_CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def make_town(name: str = "钟山镇") -> Town:
    county = default_county()
    town = Town.objects.filter(county=county, name=name).first()
    return town or Town.objects.create(county=county, code=f"{county.code}{next(_seq):04d}", name=name)


def make_county(
    code: str = "451121",
    name: str = "昭平县",
    prefix: str = "ZP",
    *,
    city: City | None = None,
    **settings: Any,
) -> County:
    """Another county (in the deployment's city unless told), with overrides of declared settings."""
    return County.objects.create(
        code=code, name=name, case_prefix=prefix, city=city or default_city(), settings=settings
    )


def make_town_in(county: County, name: str = "昭平镇") -> Town:
    return Town.objects.create(county=county, code=f"{county.code}{next(_seq):04d}", name=name)


def make_company(name: str | None = None) -> PropertyCompany:
    n = next(_seq)
    return reg.company_save(
        actor=SystemActor("demo"),
        name=name or f"测试物业{n}有限公司",
        credit_code=valid_credit_code(n),
        legal_representative="张法人",
    )


def make_estate(
    *,
    company: PropertyCompany | None = None,
    name: str | None = None,
    code: str | None = None,
    town: Town | None = None,
    units: int = 0,
    area: str = "100.00",
) -> Estate:
    n = next(_seq)
    estate = reg.estate_save(
        actor=SystemActor("demo"),
        town=town or make_town(),
        code=code or f"T{n:05d}",
        name=name or f"测试小区{n}",
    )
    if company is not None:
        reg.contract_create(
            actor=SystemActor("demo"),
            estate=estate,
            company=company,
            start=dt.date(2024, 1, 1),
            end=None,
            fee_per_m2=Decimal("1.20"),
            hiring="tender",
        )
    if units:
        make_units(estate, units, area=area)
    return estate


def make_units(estate: Estate, count: int, *, area: str = "100.00", building: str = "1栋") -> list[Unit]:
    b, _ = reg.building_get_or_create(estate=estate, name=building)
    made = []
    for i in range(count):
        unit, _ = reg.unit_upsert(
            actor=SystemActor("demo"), building=b, number=f"{i + 1:03d}", area=Decimal(area)
        )
        reg.owner_link(
            actor=SystemActor("demo"),
            unit=unit,
            name=f"业主{estate.pk}-{i}",
            phone=f"137{estate.pk:04d}{i:04d}",
        )
        made.append(unit)
    return made


def make_user(role: str, *, username: str | None = None, password: str = "pass-12345", **extra: Any) -> User:
    if role == Role.OWNER:
        owner = extra.pop("owner", None) or Owner.objects.create(
            name="测试业主", phone=f"136{next(_seq):08d}"
        )
        user = User(
            username=username or f"owner-{owner.phone}",
            role=Role.OWNER,
            owner=owner,
            phone=owner.phone,
            display_name=owner.name,
        )
        user.set_password(password)
        user.save()
        return user
    return staff_user_create(
        actor=SystemActor("demo"),
        username=username or f"{role}{next(_seq)}",
        password=password,
        role=role,
        display_name=f"测试{role}",
        **extra,
    )


def login(client: Any, user: User) -> Any:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def run_concurrently(*calls: Callable[[], Any], timeout: float | None = 120.0) -> list[Any]:
    """Start every call at the same moment, each in its own thread with its own database connection (tests of the
    concurrent second request, on PostgreSQL). Returns each call's result in order; a call that raised gives its
    exception as its result."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
