"""Demo data for ``./dev start --demo``: the sample Jiangxi directory (the 2016
campaign, agencies in all ten focus sectors, their regulated entities)."""

from __future__ import annotations

from pathlib import Path

from shared.settings import Settings

from .directory.importer import run_import

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def load(settings: Settings) -> None:
    report = run_import(
        settings,
        campaigns=SAMPLES / "campaigns.csv",
        agencies=SAMPLES / "agencies.csv",
        entities=SAMPLES / "entities.csv",
    )
    if not report.ok:
        raise RuntimeError("sample directory is malformed:\n" + "\n".join(report.errors))
    print(f"directory: {len(report.published)} published, {report.unchanged} unchanged")
