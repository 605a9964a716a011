"""Summary reports render in a child process of their own.

Rendering takes a CPU-second of charts and layout and loads matplotlib, ReportLab and
python-docx (about 55 MB). In a child, none of that competes with the projector and
the API for the service's GIL, and the memory is returned when the child exits."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import cache, partial

from shared.errors import Unavailable


@cache
def _renderers() -> ProcessPoolExecutor:
    # "spawn": a fork would copy the service's threads' locks mid-use.
    return ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1
    )


async def render_in_child(
    url: str,
    as_of: datetime,
    format: str,
    *,
    region_code: str | None = None,
    agency_id: str | None = None,
) -> tuple[bytes, str]:
    """The report's bytes and file name, rendered from the read models at ``url``.
    Refusals raised while building it (e.g. no such agency) are raised here."""
    job = partial(_render, url, as_of, format, region_code=region_code, agency_id=agency_id)
    try:
        return await asyncio.get_running_loop().run_in_executor(_renderers(), job)
    except BrokenProcessPool as exc:
        _renderers.cache_clear()  # the next report gets a fresh pool
        raise Unavailable(
            "报告生成进程意外退出，请重试", "the report renderer exited unexpectedly; retry"
        ) from exc


def _render(
    url: str,
    as_of: datetime,
    format: str,
    *,
    region_code: str | None,
    agency_id: str | None,
) -> tuple[bytes, str]:
    # Imported here, in the child: the service process never loads the renderers.
    from services.reporting.reports.render import render_summary_from

    return render_summary_from(url, as_of, format, region_code=region_code, agency_id=agency_id)
