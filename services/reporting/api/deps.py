"""FastAPI dependencies of the reporting API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Connection

from services.reporting.api.access import require_auditor
from services.reporting.context import LIVE, ReportingContext
from services.reporting.readmodels.schema import make_engine
from shared.auth import OptionalActor
from shared.errors import Unauthenticated


def reporting_context(request: Request) -> ReportingContext:
    context: ReportingContext = request.app.state.reporting
    return context


Context = Annotated[ReportingContext, Depends(reporting_context)]


def read_connection(
    context: Context,
    actor: OptionalActor,
    build: Annotated[
        str,
        Query(
            description="'live', or an audit replay's id to see the figures as that replay "
            "rebuilt them (auditors of the province) / 指定审计重放版本"
        ),
    ] = LIVE,
) -> Iterator[Connection]:
    if build == LIVE:
        with context.engine.connect() as conn:
            yield conn
        return
    if actor is None:
        raise Unauthenticated("查看重放数据需要登录", "replayed figures need a signed-in auditor")
    require_auditor(actor)  # a replay holds the whole province's figures
    engine = make_engine(context.build_url(build))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


ReadConnection = Annotated[Connection, Depends(read_connection)]
