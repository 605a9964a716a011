"""Reporting's evaluation projection: a result withheld below the campaign's minimum
of valid ballots leaves no figure in any read model; at the minimum it counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import agency_figures
from services.reporting.readmodels.projector import apply_batch
from services.reporting.readmodels.public import public_figures
from services.reporting.readmodels.schema import create_tables, make_engine
from tests.reporting.sample_events import EventLog, meeting_story


def _project(tmp_path: Path, minimum: int) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{tmp_path / f'min{minimum}.db'}")
    create_tables(engine)
    log = EventLog()
    meeting_story(log, "small", "ag-small", "360102", min_valid_ballots=minimum)
    assert apply_batch(engine, log.records()).applied == len(log.records())
    with engine.connect() as conn:
        figures = dict(agency_figures(conn, "ag-small"))
        public, _ = public_figures(conn, "360100")
        rows = conn.execute(
            select(schema.subjects.c.status).where(schema.subjects.c.kind == "evaluation_result")
        ).all()
    figures["public.evaluation.ballots"] = public.get("evaluation.ballots", 0)
    figures["statuses"] = len({r.status for r in rows if r.status == "withheld"})
    return figures


def test_a_withheld_result_leaves_no_figures(tmp_path: Path) -> None:
    figures = _project(tmp_path, minimum=5)  # three ballots cast
    assert figures.get("evaluation.ballots", 0) == 0
    assert figures.get("evaluation.satisfied", 0) == 0
    assert figures.get("evaluation.dissatisfied", 0) == 0
    assert figures["public.evaluation.ballots"] == 0 and figures["statuses"] == 1


def test_a_result_at_the_minimum_is_counted(tmp_path: Path) -> None:
    figures = _project(tmp_path, minimum=3)
    assert figures["evaluation.ballots"] == 3 and figures["evaluation.satisfied"] == 2
    assert figures["public.evaluation.ballots"] == 3 and figures["statuses"] == 0
