"""Projection of every event type, idempotence, dead letters, timelines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from services.reporting.readmodels import drilldown, queries, schema
from services.reporting.readmodels.figures import agency_figures, region_figures
from services.reporting.readmodels.projections import PROJECTIONS
from services.reporting.readmodels.projector import RawRecord, apply_batch
from services.reporting.readmodels.schema import create_tables, make_engine
from services.reporting.readmodels.status import dead_letter_count, stored_offsets
from services.reporting.replay.audit import compare_engines
from shared.codec import encode
from shared.events import intake
from shared.events.directory import PhaseCode
from shared.events.registry import registry
from tests.reporting.sample_events import CAMPAIGN, EventLog, complete_history, meeting_story

EXPECTED_AGENCY_FIGURES = {
    "tips.total": 6,
    "tips.channel.hotline": 1,
    "tips.channel.website": 5,
    "tips.status.substantiated": 1,
    "tips.status.rejected": 1,
    "tips.status.merged": 1,
    "tips.status.transferred": 1,
    "tips.status.unsubstantiated": 1,
    "tips.status.received": 1,
    "tips.escalated": 1,
    "plans.total": 1,
    "self_analyses.total": 1,
    "self_inspections.total": 1,
    "problems.total": 2,
    "problems.category.fair": 1,
    "problems.category.procedural": 1,
    "problems.kind.arbitrary_fine": 1,
    "problems.status.found": 2,
    "items.total": 2,
    "items.verified": 1,
    "items.open": 1,
    "items.overdue": 1,
    "items.escalated": 1,
    "items.on_time_rate": 1.0,
    "items.completion_rate": 0.5,
    "cases.total": 1,
    "cases.kind.abuse_of_power": 1,
    "referrals.total": 2,
    "referrals.acknowledged": 1,
    "referrals.unacknowledged": 1,
    "referrals.overdue": 1,
    "exposures.total": 1,
    "accountability.total": 1,
    "accountability.measure.demerit": 1,
    "rules.total": 1,
    "evaluation.agencies_evaluated": 1,
    "evaluation.ballots": 3,
    "evaluation.satisfied": 2,
    "evaluation.dissatisfied": 1,
    "evaluation.satisfaction_rate": 0.6667,
    "evaluation.dissatisfaction_rate": 0.3333,
    "evaluation.problems_raised": 1,
    "lookbacks.total": 1,
    "lookbacks.completed": 1,
}


def test_every_registered_event_type_has_a_projection_and_a_sample() -> None:
    missing = sorted(m.name for m in registry if m not in PROJECTIONS)
    assert missing == []
    sampled = {e.type for e in complete_history("all").envelopes}
    assert {m.type_string() for m in registry} <= sampled


def test_the_complete_history_gives_the_expected_agency_figures(engine: Engine) -> None:
    log = complete_history("k1", agency="ag-k1")
    result = apply_batch(engine, log.records())
    assert (result.applied, result.dead) == (len(log.envelopes), 0)
    with engine.connect() as conn:
        figures = agency_figures(conn, "ag-k1")
        region = region_figures(conn, "360102")
        meetings = region_figures(conn, "360102")["evaluation.meetings"]
    for key, value in EXPECTED_AGENCY_FIGURES.items():
        assert figures.get(key) == value, key
    assert meetings == 1
    assert figures["items.avg_days_to_verification"] > 5
    # the region holds the agency's figures
    assert region["problems.total"] == 2 and region["evaluation.meetings_published"] == 1


def test_projecting_events_one_batch_at_a_time_gives_the_same_rows(engine: Engine) -> None:
    log = complete_history("k2", agency="ag-k2")
    for record in log.records():
        apply_batch(engine, [record])
    with engine.connect() as conn:
        figures = agency_figures(conn, "ag-k2")
    assert {k: figures.get(k) for k in EXPECTED_AGENCY_FIGURES} == EXPECTED_AGENCY_FIGURES


def test_an_event_seen_again_changes_nothing(engine: Engine) -> None:
    log = EventLog()
    meeting_story(log, "dup", "ag-dup", "360102")
    records = log.records()
    apply_batch(engine, records)
    again = [RawRecord(r.topic, 1, r.offset, r.key, r.value) for r in records]
    result = apply_batch(engine, again)
    assert result.applied == 0 and result.skipped == len(records)
    with engine.connect() as conn:
        assert agency_figures(conn, "ag-dup")["evaluation.ballots"] == 3
        events = conn.execute(select(func.count()).select_from(schema.event_log)).scalar_one()
    assert events == len(records)


def test_unknown_and_malformed_records_are_dead_lettered_counted_and_skipped(
    engine: Engine,
) -> None:
    log = complete_history("k3", agency="ag-k3")
    good = log.records()
    unknown_envelope = log.envelopes[0].model_copy(
        update={"type": "cn.gov.jiangxi.fairenforcement.intake.NoSuchThing.v1"}
    )
    unknown = encode(unknown_envelope)
    wrong_data = encode(log.envelopes[-1].model_copy(update={"data": {"meeting_id": 1}}))
    no_version = log.envelopes[1].model_dump_json(exclude={"specversion"}).encode()
    bad = [
        RawRecord("intake.events", 0, 999, log.envelopes[1].subject.encode(), no_version),
        RawRecord("intake.events", 0, 1000, b"k", b"not json"),
        RawRecord("intake.events", 0, 1001, unknown.key, unknown.value),
        RawRecord("evaluation.events", 0, 1002, wrong_data.key, wrong_data.value),
        RawRecord("intake.events", 0, 1003, None, None),
    ]
    sunk: list[str] = []
    result = apply_batch(
        engine, [*good[:5], *bad, *good[5:]], dead_letter_sink=lambda r, why: sunk.append(why)
    )
    assert result.dead == 5 and result.applied == len(good)
    assert dead_letter_count(engine) == 5
    assert any("specversion" in why for why in sunk)
    assert any("unknown event type" in why for why in sunk)
    assert any("not JSON" in why for why in sunk)
    assert stored_offsets(engine)[("intake.events", 0)] == 1004
    with engine.connect() as conn:
        assert agency_figures(conn, "ag-k3")["tips.total"] == 6


def test_as_of_skips_later_events_but_advances_offsets(engine: Engine) -> None:
    log = complete_history("k4", agency="ag-k4")
    middle = log.envelopes[len(log.envelopes) // 2].time
    result = apply_batch(engine, log.records(), as_of=middle)
    assert result.applied == len(log.envelopes) // 2 + 1
    assert result.skipped == len(log.envelopes) - result.applied
    total = sum(stored_offsets(engine).values())
    assert total == len(log.envelopes)


def test_timeline_and_events_behind_a_figure(engine: Engine) -> None:
    log = complete_history("k5", agency="ag-k5")
    apply_batch(engine, log.records())
    item = "rect-prb-k5"
    expected = [e.id for e in log.envelopes if e.subject == item]
    with engine.connect() as conn:
        timeline = drilldown.timeline(conn, item)
        assert [e["event_id"] for e in timeline] == expected
        assert [e["sequence"] for e in timeline] == list(range(1, len(expected) + 1))
        assert timeline[0]["data"]["problem_id"] == "prb-k5"
        found = drilldown.events_behind(conn, "referrals.unacknowledged", agency_id="ag-k5")
        assert [row.subject for row in found] == ["referral:ref-k5-2"]
        streams = sorted({drilldown.aggregate_of(row) for row in found})
        events = drilldown.event_rows(conn, streams)
        assert {e.subject for e in events} == {"case-k5"}
        assert all(e.agency_id == "ag-k5" and e.region_code == "360102" for e in events)
        assert not hasattr(events[0], "data")  # rows for the API carry no event data
        found = drilldown.events_behind(conn, "problems.category.procedural", region_code="360100")
        assert [row.subject for row in found] == ["prb-k5-si"]
        assert found[0].agency_id == "ag-k5" and found[0].category == "procedural"
        found = drilldown.events_behind(conn, "items.completion_rate", agency_id="ag-k5")
        assert [row.subject for row in found] == ["rect-prb-k5", "rect-prb-k5-si"]
        found = drilldown.events_behind(conn, "items.avg_days_to_verification", agency_id="ag-k5")
        assert [row.subject for row in found] == ["rect-prb-k5"]
        progress = queries.campaign_progress(conn, CAMPAIGN, date(2017, 1, 16))
    assert progress is not None
    phases = {p["code"]: p for p in progress["phases"]}
    assert phases["mobilisation"]["state"] == "finished"
    assert phases["mobilisation"]["opened_in_phase"]["tip"] == 6
    assert phases["rectification"]["state"] == "in_progress"
    assert phases["rectification"]["time_elapsed"] == round(16 / 31, 4)


def test_figures_do_not_depend_on_how_the_topics_interleave(tmp_path: Path) -> None:
    log = complete_history("k6", agency="ag-k6")
    # a plan whose event names no region: it takes its agency's region
    log.add(
        "sinsp-k6",
        intake.ImplementationPlanFiled(
            agency_id="ag-k6",
            campaign_id=CAMPAIGN,
            plan_id="plan-k6-b",
            targeted_categories=(),
            methods="m",
            goals="g",
            phase=PhaseCode.mobilisation,
            filed_at=log.now,
        ),
    )
    records = log.records()
    by_topic: dict[str, list[RawRecord]] = {}
    for record in records:
        by_topic.setdefault(record.topic, []).append(record)
    # the same per-partition order, the topics in the opposite order, small batches
    reordered = [r for topic in reversed(list(by_topic)) for r in by_topic[topic]]
    builds = []
    for name, order, size in (("natural", records, 1000), ("reordered", reordered, 7)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        create_tables(engine)
        for start in range(0, len(order), size):
            apply_batch(engine, order[start : start + size])
        builds.append(engine)
    assert compare_engines(*builds).identical
    with builds[1].connect() as conn:
        assert region_figures(conn, "360100")["plans.total"] == 2
        assert agency_figures(conn, "ag-k6")["plans.total"] == 2
        found = drilldown.events_behind(conn, "plans.total", region_code="360102")
    assert [row.subject for row in found] == ["plan:plan-k6", "plan:plan-k6-b"]
