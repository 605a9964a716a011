"""Every decider's states come back from their stored documents as they were:
``load(dump(state)) == state``, through the codec each ``AggregateKind`` builds.

Two sources of states, for every decider under ``services/*/domain``: those the
deciders' own tests fold (each of their tests that takes no arguments, run here with
``evolve`` recorded), and states hypothesis builds from each state type, field by
field, around the event models those tests produced.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from shared.events.base import DomainEvent
from shared.eventstore import AggregateKind

ROOT = Path(__file__).resolve().parents[2]
BEIJING = timezone(timedelta(hours=8))
# Distinct event models kept per type for generated states to hold.
_MODELS_PER_TYPE = 4


def deciders() -> dict[str, Any]:
    """Every class under services/*/domain with initial_state, decide and evolve."""
    found: dict[str, Any] = {}
    for domain in sorted(ROOT.glob("services/*/domain")):
        package = f"services.{domain.parent.name}.domain"
        # walk_packages: a domain may keep an aggregate in a package of its own.
        for module_info in pkgutil.walk_packages([str(domain)], prefix=f"{package}."):
            module = importlib.import_module(module_info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and value.__module__ == module.__name__
                    and all(hasattr(value, m) for m in ("initial_state", "decide", "evolve"))
                ):
                    found[name] = value
    return found


DECIDERS = deciders()


@dataclass
class Harvest:
    states: dict[str, list[Any]] = field(default_factory=dict)
    models: dict[type, list[BaseModel]] = field(default_factory=dict)

    def keep(self, decider: str, state: Any, event: DomainEvent) -> None:
        self.states.setdefault(decider, []).append(state)
        for model in _models_in(event):
            kept = self.models.setdefault(type(model), [])
            if len(kept) < _MODELS_PER_TYPE and model not in kept:
                kept.append(model)


def _models_in(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _models_in(getattr(value, name))
    elif isinstance(value, tuple | list | frozenset):
        for item in value:
            yield from _models_in(item)


@pytest.fixture(scope="module")
def harvest() -> Harvest:
    """The states the deciders' own tests fold, and the event models they evolve by."""
    kept = Harvest()
    with pytest.MonkeyPatch.context() as patch:
        for name, decider in DECIDERS.items():
            evolve = decider.evolve

            def recording(
                self: Any, state: Any, event: DomainEvent, _evolve: Any = evolve, _name: str = name
            ) -> Any:
                after = _evolve(self, state, event)
                kept.keep(_name, after, event)
                return after

            patch.setattr(decider, "evolve", recording)
        for path in sorted(ROOT.glob("tests/*/test_*decider*.py")):
            module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
            for test_name, test in vars(module).items():
                if (
                    test_name.startswith("test_")
                    and inspect.isfunction(test)
                    and not inspect.signature(test).parameters
                ):
                    test()
    return kept


def kind_of(name: str) -> AggregateKind:
    return AggregateKind(name, DECIDERS[name](), ())


def test_every_decider_is_found_and_its_tests_fold_states(harvest: Harvest) -> None:
    assert len(DECIDERS) >= 7
    assert {name for name, states in harvest.states.items() if states} == set(DECIDERS)


@pytest.mark.parametrize("name", sorted(DECIDERS))
def test_the_states_the_deciders_tests_fold_come_back_from_their_documents(
    name: str, harvest: Harvest
) -> None:
    codec = kind_of(name).codec
    for state in harvest.states[name]:
        assert codec.load(codec.dump(state)) == state


def strategy(tp: Any, models: dict[type, list[BaseModel]]) -> st.SearchStrategy[Any]:
    """Values of ``tp`` as states hold them; event models come from ``models``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is type(None):
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(arg, models) for arg in args))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        return st.builds(
            tp,
            **{f.name: strategy(hints[f.name], models) for f in dataclasses.fields(tp) if f.init},
        )
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        samples = models.get(tp, [])
        return st.sampled_from(samples) if samples else st.nothing()
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return st.tuples(*(strategy(arg, models) for arg in args))
    if origin in (tuple, frozenset, dict):
        items = [strategy(arg, models) for arg in args if arg is not Ellipsis]
        if any(item.is_empty for item in items):
            return st.just(origin())  # of models no test produced: empty
        if origin is dict:
            return st.dictionaries(*items, max_size=3)
        if origin is frozenset:
            return st.frozensets(items[0], max_size=3)
        return st.lists(items[0], max_size=3).map(tuple)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        bool: st.booleans(),
        int: st.integers(-(2**63), 2**63 - 1),
        str: st.text(max_size=20),
        date: st.dates(),
        datetime: st.datetimes(timezones=st.sampled_from([UTC, BEIJING])),
    }
    if tp in simple:
        return simple[tp]
    raise TypeError(f"no strategy for {tp!r}: give it one here")


@pytest.mark.parametrize("name", sorted(DECIDERS))
def test_generated_states_come_back_from_their_documents(name: str, harvest: Harvest) -> None:
    codec = kind_of(name).codec
    state_type = typing.get_type_hints(DECIDERS[name].initial_state)["return"]

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(strategy(state_type, harvest.models))
    def comes_back(state: Any) -> None:
        assert codec.load(codec.dump(state)) == state

    comes_back()
