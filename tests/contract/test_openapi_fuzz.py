"""Every service against its own OpenAPI document, with schemathesis: generated
requests (valid and invalid, anonymous and signed in as several roles) never get a
server error, and every answer matches the status codes, content types and body
schemas the document promises.

The services are the apps their bootstraps build, on the session's real broker,
called in process through schemathesis's ASGI transport (one lifespan per app)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.actors import Role
from shared.auth import mint_token
from shared.clock import SystemClock
from shared.http import create_api
from shared.settings import Settings

# schemathesis builds some strategies in a way hypothesis deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

# Bounded so that the four services together take a few minutes on two cores.
EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Anonymous, and one signed-in officer of each kind that reaches a different branch.
SIGNED_IN: tuple[tuple[Role, str, str], ...] = (
    (Role.public, "", "360000"),
    (Role.intake_officer, "lo-360102", "360102"),
    (Role.agency_staff, "ag-sim-360102-urban_management", "360102"),
    (Role.legal_office, "lo-360100", "360100"),
    (Role.auditor, "audit-360000", "360000"),
    (Role.admin, "admin-360000", "360000"),
)


@functools.cache
def bearer(settings_json: str, index: int) -> dict[str, str]:
    role, organisation, region = SIGNED_IN[index]
    token = mint_token(
        Settings.model_validate_json(settings_json),
        subject=f"fuzz-{role.value}",
        role=role,
        organisation=organisation,
        region_code=region,
    )
    return {"Authorization": f"Bearer {token}"}


# The clock can only move forward, and a fuzzer moving it far ahead would change what
# every later example sees; /health answers 503 when the broker is away, by design.
LEFT_OUT = {"/admin/clock", "/health"}

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
signed_in = st.none() | st.integers(min_value=0, max_value=len(SIGNED_IN) - 1)


@pytest.fixture
def loaded_schema(
    request: pytest.FixtureRequest, broker_settings: Settings
) -> Iterator[schemathesis.BaseSchema]:
    bootstrap = importlib.import_module(f"services.{request.param}.bootstrap")
    app = bootstrap.build_app(broker_settings)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        asgi.shutdown_lifespans()


@dataclass
class Outcome:
    calls: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz(
    operation: schemathesis.APIOperation, mode: GenerationMode, broker_settings: Settings
) -> Outcome:
    """Up to ``EXAMPLES_PER_OPERATION`` generated calls; the first failure found, shrunk
    by hypothesis to its smallest example."""
    outcome = Outcome()

    @given(case=operation.as_strategy(generation_mode=mode), who=signed_in)
    @FUZZ_SETTINGS
    def call(case: schemathesis.Case, who: int | None) -> None:
        headers = {} if who is None else bearer(broker_settings.model_dump_json(), who)
        outcome.calls += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as failed:
            outcome.failures.append(f"{operation.label} ({mode.value}): {failed}")
            raise
        except Exception as raised:  # the ASGI transport passes an app's exception on
            outcome.failures.append(f"{operation.label} ({mode.value}): Server error: {raised!r}")
            raise

    try:
        call()
    except BaseException:
        if not outcome.failures:  # not a failure of the service: of the test itself
            raise
    outcome.failures = outcome.failures[-1:]
    return outcome


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.parametrize(
    "loaded_schema", ["intake", "rectification", "evaluation", "reporting"], indirect=True
)
def test_a_service_keeps_its_openapi_promises(
    loaded_schema: schemathesis.BaseSchema, broker_settings: Settings
) -> None:
    failures: list[str] = []
    operations = calls = 0
    for result in loaded_schema.get_all_operations():
        operation = result.ok()
        if operation.path in LEFT_OUT:
            continue
        operations += 1
        raw = operation.definition.raw
        # A route that takes no input has nothing a negative example could break.
        takes_input = bool(raw.get("parameters") or raw.get("requestBody"))
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for mode in modes if takes_input else modes[:1]:
            outcome = fuzz(operation, mode, broker_settings)
            calls += outcome.calls
            failures.extend(outcome.failures)
    assert operations > 5 and calls >= operations * EXAMPLES_PER_OPERATION
    assert not failures, "\n\n".join(failures)


class Answer(BaseModel):
    count: int


def broken_app(settings: Settings) -> FastAPI:
    """One route that fails on some input, one that breaks its documented body, and
    one that keeps its promises: the harness must tell them apart."""
    api = create_api("broken", settings, SystemClock())

    @api.get("/divide", response_model=Answer)
    async def divide(by: int) -> Answer:
        return Answer(count=10 // (by % 3))  # 500 on a third of the numbers

    @api.get("/shape", response_model=Answer)
    async def shape(n: int) -> JSONResponse:
        return JSONResponse({"count": "many"})  # not the documented body

    @api.get("/fine", response_model=Answer)
    async def fine(n: int) -> Answer:
        return Answer(count=n)

    return api


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/divide", "Server error"), ("/shape", "Response violates schema"), ("/fine", None)],
)
def test_the_harness_reports_server_errors_and_broken_bodies(
    settings: Settings, path: str, expected: str | None
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", broken_app(settings))
    try:
        operation = next(
            result.ok() for result in schema.get_all_operations() if result.ok().path == path
        )
        outcome = fuzz(operation, GenerationMode.POSITIVE, settings)
    finally:
        asgi.shutdown_lifespans()
    assert outcome.calls >= 1
    if expected is None:
        assert outcome.failures == [] and outcome.calls == EXAMPLES_PER_OPERATION
    else:
        assert len(outcome.failures) == 1 and expected in outcome.failures[0]
