"""Summary reports render in a child process of their own, one per report.

Rendering takes a CPU-second of charts and layout and loads matplotlib, ReportLab and
python-docx (about 55 MB). In a child, none of that competes with the projector and
the API for the service's GIL, and the memory is returned when the child exits. The
child lives only as long as its report: no idle workers outlive a killed service."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
import weakref
from datetime import datetime
from pathlib import Path

from shared.errors import Refusal, Unavailable

log = logging.getLogger(__name__)

# Reports rendering at once; more wait their turn.
CONCURRENT_REPORTS = 2
TIMEOUT_SECONDS = 120.0
_ROOT = Path(__file__).resolve().parents[3]


_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slots() -> asyncio.Semaphore:
    """The running loop's semaphore (a semaphore belongs to one loop)."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(CONCURRENT_REPORTS)
    return slots


async def render_in_child(
    url: str,
    as_of: datetime,
    format: str,
    *,
    region_code: str | None = None,
    agency_id: str | None = None,
    withheld: tuple[str, ...] = (),
) -> tuple[bytes, str]:
    """The report's bytes and file name, rendered from the read models at ``url``.
    Refusals raised while building it (e.g. no such agency) are raised here."""
    request = pickle.dumps((url, as_of, format, region_code, agency_id, withheld))
    path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH")) if p)
    async with _slots():
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        try:
            out, err = await asyncio.wait_for(child.communicate(request), TIMEOUT_SECONDS)
        except TimeoutError:
            child.kill()
            await child.wait()
            raise Unavailable("报告生成超时，请重试", "the report took too long; retry") from None
    if child.returncode != 0:
        log.error("report renderer exited with %s: %s", child.returncode, err.decode()[-2000:])
        raise Unavailable("报告生成失败，请重试", "the report renderer failed; retry")
    outcome: tuple[bytes, str] | Refusal = pickle.loads(out)  # our own child's answer
    if isinstance(outcome, Refusal):
        raise outcome
    return outcome


def main() -> None:
    """The child: read the request on stdin, write the report (or refusal) on stdout."""
    from services.reporting.reports.render import render_summary

    url, as_of, format, region_code, agency_id, withheld = pickle.loads(sys.stdin.buffer.read())
    outcome: tuple[bytes, str] | Refusal
    try:
        outcome = render_summary(
            url, as_of, format, region_code=region_code, agency_id=agency_id, withheld=withheld
        )
    except Refusal as refusal:
        outcome = refusal
    sys.stdout.buffer.write(pickle.dumps(outcome))


if __name__ == "__main__":
    main()
