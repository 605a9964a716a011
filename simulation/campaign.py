"""A whole campaign, phase by phase, on the services' shared simulated clock."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from shared.clock import SimulatedClock
from shared.events.directory import PhaseCode
from shared.settings import Settings

from .client import Api
from .directory import DirectoryImport, build_directory, campaign_id, import_directory
from .evaluation import evaluate, look_back
from .finding import find_problems, mobilise
from .ledger import Ledger
from .plan import Calendar, Size
from .rectification import rectify, wait_for_deadlines
from .run import Run

REPORT_FORMATS = ("pdf", "docx")


def simulate(
    settings: Settings,
    size: Size,
    seed: int,
    urls: dict[str, str],
    *,
    run_import: DirectoryImport,
    log: Callable[[str], None] = print,
    work_dir: Path | None = None,
) -> Ledger:
    started = time.monotonic()
    api = Api(settings=settings, urls=urls, clock=SimulatedClock(settings.clock_start))
    try:
        calendar = Calendar.after(api.services_time())
        mobilisation, _ = calendar.phase(PhaseCode.mobilisation)
        run = Run(
            api=api,
            size=size,
            seed=seed,
            rng=random.Random(seed),
            directory=build_directory(),
            calendar=calendar,
            campaign_id=campaign_id(calendar),
            log=log,
        )
        run.set_time(run.at(mobilisation, 8))
        with tempfile.TemporaryDirectory(prefix="campaign-sim-") as scratch:
            published, unchanged = import_directory(
                run_import, settings, run.directory, calendar, work_dir or Path(scratch), api.clock
            )
        log(f"directory: {published} records published, {unchanged} unchanged")
        _wait_for_directory(run)
        _play(run)
        ledger = run.ledger
        ledger.note("by_level", _by_level(run))
        ledger.note(
            "run",
            {
                "seed": seed,
                "size": size.name,
                "campaign_id": run.campaign_id,
                "campaign_year": calendar.campaign_year,
                "simulated_from": run.at(mobilisation, 8).isoformat(),
                "simulated_to": api.clock.now().isoformat(),
                "wall_seconds": round(time.monotonic() - started, 2),
                "http_calls": api.calls,
                "http_retries": api.retries,
            },
        )
        run.close()
        return ledger
    finally:
        api.close()


def _wait_for_directory(run: Run) -> None:
    """Every service that checks references must know the campaign and the agencies."""
    from .run import wait_until

    last = run.directory.agencies[-1].agency_id

    def intake_knows() -> bool:
        response = run.api.request(
            "intake", "GET", f"/campaigns/{run.campaign_id}", role=None, accept=(404,)
        )
        agencies = run.api.get("intake", "/agencies", role=None)
        ids = {a["agency_id"] for a in agencies} if isinstance(agencies, list) else set()
        return response.status_code == 200 and last in ids

    wait_until(intake_knows, "intake to learn the directory", timeout_s=90, every_s=0.5)


def _play(run: Run) -> None:
    mobilise(run)
    problems = find_problems(run)
    items, cases = rectify(run, problems)
    _, rectification_end = run.calendar.phase(PhaseCode.rectification)
    run.set_time(run.at(rectification_end, 20))
    wait_for_deadlines(run, items, cases)
    meetings = evaluate(run)
    summary_start, summary_end = run.calendar.phase(PhaseCode.summary)
    run.set_time(run.at(summary_start + timedelta(days=10)))
    look_back(run, meetings)
    run.set_time(run.at(summary_end, 17))
    download_reports(run)


def download_reports(run: Run) -> None:
    """Phase 5: the province's and each city's summary report from reporting."""
    from shared.regions import jiangxi

    regions = ["360000", *(c.code for c in jiangxi().cities())][: 1 + run.size.meetings]
    downloads: dict[str, int] = {}
    for index, region in enumerate(regions):
        fmt = REPORT_FORMATS[index % len(REPORT_FORMATS)]
        response = run.api.request(
            "reporting",
            "GET",
            "/reports/summary",
            params={"region_code": region, "format": fmt},
            **run.as_office(),
        )
        downloads[f"{region}.{fmt}"] = len(response.content)
    run.ledger.note("reports_downloaded", downloads)
    run.log(f"summary: {len(downloads)} reports downloaded")


LEVEL_METRICS = ("tips.total", "problems.total", "items.total", "items.overdue", "cases.total")


def _by_level(run: Run) -> dict[str, dict[str, float]]:
    """Expected counts per administrative level of the agency concerned."""
    levels: dict[str, dict[str, float]] = {}
    for (_, agency_id), figures in run.ledger.raw.items():
        if not agency_id:
            continue
        target = levels.setdefault(run.directory.agency(agency_id).level, {})
        for metric in LEVEL_METRICS:
            target[metric] = target.get(metric, 0) + figures.get(metric, 0)
    return dict(sorted(levels.items()))
