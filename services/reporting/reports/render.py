"""One entry point for API and CLI: build the content, render it in a format."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine

from services.reporting.readmodels.schema import make_engine
from services.reporting.reports.content import SummaryReport, agency_report, region_report
from services.reporting.reports.pdf import render_pdf
from services.reporting.reports.word import render_docx


def build_report(
    engine: Engine,
    as_of: datetime,
    *,
    region_code: str | None = None,
    agency_id: str | None = None,
    withheld: tuple[str, ...] = (),
) -> SummaryReport:
    if region_code is not None:
        return region_report(engine, region_code, as_of)
    assert agency_id is not None
    return agency_report(engine, agency_id, as_of, withheld)


def render_summary(
    source: Engine | str,
    as_of: datetime,
    format: str,
    *,
    region_code: str | None = None,
    agency_id: str | None = None,
    withheld: tuple[str, ...] = (),
) -> tuple[bytes, str]:
    """The report's bytes and file name. ``source``: the read models' engine, or the
    URL of their database, which a child process opens itself."""
    with _opened(source) as engine:
        report = build_report(
            engine, as_of, region_code=region_code, agency_id=agency_id, withheld=withheld
        )
    body = render_pdf(report) if format == "pdf" else render_docx(report)
    return body, f"{report.title}.{format}"


@contextmanager
def _opened(source: Engine | str) -> Iterator[Engine]:
    if isinstance(source, Engine):
        yield source
        return
    engine = make_engine(source)
    try:
        yield engine
    finally:
        engine.dispose()
