"""The public region figures: a look-back counts only once the result it follows is
published, and repeated requests are served without reading the subjects again until
the projector commits something new. On SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from services.reporting.readmodels.figures import region_figures
from services.reporting.readmodels.projector import RawRecord, apply_batch
from services.reporting.readmodels.public import PublicFiguresCache, public_figures
from shared.events import evaluation as ev
from tests.reporting.sample_events import EventLog, complete_history, register_agency

PUBLISHED = ev.ResultsPublished.type_string()


def _in_true_order(log: EventLog) -> EventLog:
    """The sample story publishes results before the look-backs; a meeting opens them
    when it closes. Move publication last and renumber the meeting's sequence."""
    envelopes = [e for e in log.envelopes if e.type != PUBLISHED]
    envelopes += [e for e in log.envelopes if e.type == PUBLISHED]
    counters: dict[str, int] = {}
    reordered = []
    for envelope in envelopes:
        counters[envelope.subject] = counters.get(envelope.subject, 0) + 1
        reordered.append(envelope.model_copy(update={"sequence": counters[envelope.subject]}))
    return EventLog(now=log.now, envelopes=reordered)


def _until_publication(key: str) -> tuple[list[RawRecord], list[RawRecord]]:
    records = _in_true_order(complete_history(key, agency=f"ag-{key}", region="360102")).records()
    return records[:-1], records[-1:]


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    name = "engine" if request.param == "sqlite" else "postgres_engine"
    yield request.getfixturevalue(name)


def test_a_closed_meeting_counts_no_look_back_until_its_results_are_published(
    any_engine: Engine,
) -> None:
    closed, publication = _until_publication("lb")
    apply_batch(any_engine, closed)
    with any_engine.connect() as conn:
        # the look-back is open and done internally, which officers see ...
        assert region_figures(conn, "360100")["lookbacks.total"] == 1
        figures, children = public_figures(conn, "360100")
    # ... but the public sees nothing of the meeting before its results are out
    assert "lookbacks.total" not in figures and "lookbacks.total" not in children["360102"]
    assert "evaluation.ballots" not in figures
    assert "problems.total" in figures  # the rest of the region's figures are there

    apply_batch(any_engine, publication)
    with any_engine.connect() as conn:
        figures, children = public_figures(conn, "360100")
    assert figures["lookbacks.total"] == 1 and children["360102"]["lookbacks.total"] == 1
    assert figures["evaluation.ballots"] == 3


def test_a_look_back_of_an_agency_whose_result_is_not_published_is_not_counted(
    any_engine: Engine,
) -> None:
    """The meeting published, but not this agency's result (e.g. too few ballots)."""
    log = _in_true_order(complete_history("wh", agency="ag-wh", region="360102"))
    publication = next(e for e in log.envelopes if e.type == PUBLISHED)
    without = publication.model_copy(update={"data": {**publication.data, "results": []}})
    log.envelopes[log.envelopes.index(publication)] = without
    apply_batch(any_engine, log.records())
    with any_engine.connect() as conn:
        figures, _ = public_figures(conn, "360100")
        assert region_figures(conn, "360100")["lookbacks.total"] == 1
    assert "lookbacks.total" not in figures


class _SubjectReads:
    """Counts the statements that read the subjects table."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "subjects" in statement:
            self.count += 1


def test_repeated_requests_read_no_subjects_until_something_new_is_committed(
    any_engine: Engine,
) -> None:
    closed, publication = _until_publication("cache")
    apply_batch(any_engine, closed)
    cache = PublicFiguresCache()
    reads = _SubjectReads(any_engine)
    with any_engine.connect() as conn:
        first = cache.figures(conn, "360100")
    assert reads.count > 0
    scanned = reads.count
    for _ in range(3):
        with any_engine.connect() as conn:
            assert cache.figures(conn, "360100") == first
    assert reads.count == scanned  # served from memory

    with any_engine.connect() as conn:
        cache.figures(conn, "360000")  # another region is computed on its own
    assert reads.count > scanned

    apply_batch(any_engine, publication)  # the projector commits: the offsets move on
    scanned = reads.count
    with any_engine.connect() as conn:
        after = cache.figures(conn, "360100")
    assert reads.count > scanned
    assert "lookbacks.total" not in first[0] and after[0]["lookbacks.total"] == 1
    with any_engine.connect() as conn:
        assert cache.figures(conn, "360100") == public_figures(conn, "360100")


def test_the_cache_is_bounded_and_keeps_the_most_recently_used(engine: Engine) -> None:
    log = EventLog()
    register_agency(log, "ag-bound", "360102")
    apply_batch(engine, log.records())
    cache = PublicFiguresCache(size=2)
    reads = _SubjectReads(engine)
    with engine.connect() as conn:
        for code in ("360100", "360200", "360100", "360300"):
            cache.figures(conn, code)
        before = reads.count
        cache.figures(conn, "360100")  # kept: used more recently than 360200
        assert reads.count == before
        cache.figures(conn, "360200")  # dropped when 360300 came in
        assert reads.count > before


def test_the_public_page_is_served_from_the_cache(engine: Engine) -> None:
    """Through the endpoint's own function, on the app's cache."""
    from services.reporting.api.public import public_region

    apply_batch(engine, complete_history("page", agency="ag-page", region="360102").records())
    cache = PublicFiguresCache()
    reads = _SubjectReads(engine)
    with engine.connect() as conn:
        first = public_region("360100", conn, cache)
        scanned = reads.count
        second = public_region("360100", conn, cache)
    assert reads.count == scanned and first == second
    assert first.figures["lookbacks.total"] == 1
