"""Every service takes a required, typed actor: no default, no None, refused before anything runs.

Walks every function of every `services` module or package of the apps in SERVICE_APPS that has an `actor`
parameter (public services and the helpers beside them), so a new service is checked without being listed.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from wuye.kernel.actors import Actor

# The apps whose services are checked. Extend to every app as each is converted (the seams issue: all of them).
SERVICE_APPS = ("registry", "accounts", "audit", "notify", "intake", "cases", "triage", "revenue", "voting")


def _service_modules() -> Iterator[ModuleType]:
    for app in SERVICE_APPS:
        module = importlib.import_module(f"wuye.{app}.services")
        yield module
        if hasattr(module, "__path__"):  # a package: every submodule, helpers included
            for info in pkgutil.iter_modules(module.__path__, prefix=f"{module.__name__}."):
                yield importlib.import_module(info.name)


def _functions_with_actor() -> list[tuple[str, Any]]:
    found = {}
    for module in _service_modules():
        for name, fn in vars(module).items():
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue  # imported from elsewhere: checked where it is defined
            if "actor" in inspect.signature(fn).parameters:
                found[f"{module.__name__}.{name}"] = fn
    return sorted(found.items())


FUNCTIONS = _functions_with_actor()


def test_every_public_service_checks_its_actor_first():
    for name, fn in FUNCTIONS:
        short = name.rsplit(".", 1)[1]
        kind = inspect.signature(fn).parameters["actor"].kind
        if not short.startswith("_") and kind is inspect.Parameter.KEYWORD_ONLY:
            assert hasattr(fn, "__wrapped__"), f"{name}: decorate the service with @requires_actor"


def test_the_walk_finds_the_services_of_every_listed_app():
    names = [name for name, _ in FUNCTIONS]
    for app in SERVICE_APPS:
        assert any(name.startswith(f"wuye.{app}.services") for name in names), app
    # a few that must be there, across packages and modules
    for expected in ("cases.services.transitions.case_mark_overdue", "intake.services.creation.lead_create"):
        assert any(name.endswith(expected) for name in names), expected
    assert len(FUNCTIONS) > 40


@pytest.mark.parametrize(("name", "fn"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_actor_has_no_default_and_is_typed_as_an_actor(name, fn):
    param = inspect.signature(fn).parameters["actor"]
    assert param.default is inspect.Parameter.empty, f"{name}: actor has a default ({param.default!r})"
    assert param.annotation == Actor, f"{name}: actor is annotated {param.annotation!r}, not Actor"
    if hasattr(fn, "__wrapped__"):  # a service (@requires_actor), not a helper beside the services
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: a service's actor is keyword-only"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fn"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
@pytest.mark.parametrize("missing", [None, object()], ids=["None", "not-an-actor"])
def test_a_missing_actor_is_refused_before_anything_runs(name, fn, missing, django_assert_num_queries):
    params = inspect.signature(fn).parameters
    others = {
        p: None
        for p, spec in params.items()
        if p != "actor"
        and spec.default is inspect.Parameter.empty
        and spec.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    with django_assert_num_queries(0), pytest.raises(TypeError, match="actor is required"):
        fn(actor=missing, **others)
