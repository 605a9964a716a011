"""Replays in parallel lanes: the partitions are shared out between processes, each a
``Projector`` of its own writing to the same read models.

This is safe because a projection reads and writes only rows of its own stream, and
a stream lives in one partition (message key = aggregate id): lanes never touch the
same row. Each lane commits its own partitions' offsets with its rows, advancing them
only from where its batch started, so exactly-once holds per lane. Used by replays
and one-off catch-ups; the live service follows the topics in one lane of its own."""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection

from kafka import KafkaConsumer, TopicPartition

from services.reporting.readmodels.batch_writer import WriteTurns
from services.reporting.readmodels.consumer import Projector
from services.reporting.readmodels.schema import create_indexes, create_tables, make_engine
from services.reporting.readmodels.status import ProjectorStatus, stored_offsets
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import EVENT_TOPICS

Partition = tuple[str, int]


def default_lanes() -> int:
    """One lane per CPU, at most four (beyond that the database's write lock rules)."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class LaneOutcome:
    applied: int
    skipped: int
    dead: int
    peak_rss_mb: float
    error: str = ""


@dataclass(frozen=True)
class LanesSummary:
    status: ProjectorStatus
    lanes: int
    # The largest peak RSS of each process that ran a lane (this one first).
    peak_rss_mb: list[float]


def share_out(work: Mapping[Partition, int], lanes: int) -> list[list[Partition]]:
    """Partitions grouped into at most ``lanes`` groups with about the same number of
    records to read each (largest first, each to the least loaded group). Partitions
    with nothing to read are left out; no empty group is returned."""
    groups: list[tuple[int, list[Partition]]] = [(0, []) for _ in range(max(1, lanes))]
    for partition, records in sorted(work.items(), key=lambda item: (-item[1], item[0])):
        if records <= 0:
            continue
        load, members = min(groups, key=lambda group: group[0])
        groups.remove((load, members))
        groups.append((load + records, [*members, partition]))
    return [sorted(members) for _, members in groups if members]


def partition_ends(settings: Settings, topics: Sequence[str]) -> dict[Partition, int]:
    """The end offset of every partition of ``topics`` now."""
    consumer = KafkaConsumer(**client_options(settings), client_id="campaign-reporting-lanes")
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions) if partitions else {}
    finally:
        consumer.close()
    return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}


@dataclass(frozen=True)
class LaneJob:
    """What one lane projects, and how (sent to a child process as is)."""

    settings: Settings
    url: str
    topics: tuple[str, ...]
    targets: dict[Partition, int]  # its partitions and where to stop
    as_of: datetime | None
    max_records: int
    publish_dead_letters: bool
    # Alone, a lane writes behind; beside other lanes the cores are busy already and
    # writing in its own thread is faster (see ``BatchWriter``).
    write_behind: bool
    bulk: bool


def run_lanes(
    settings: Settings,
    url: str,
    *,
    lanes: int | None = None,
    topics: Sequence[str] = EVENT_TOPICS,
    targets: Mapping[Partition, int] | None = None,
    as_of: datetime | None = None,
    max_records: int = 2000,
    publish_dead_letters: bool = True,
    bulk: bool = False,
) -> LanesSummary:
    """Project ``topics`` into ``url`` up to ``targets`` (default: the ends now), in
    up to ``lanes`` processes: this one runs the first lane, children the others.
    ``bulk``: ``url`` is a fresh build, written with ``make_engine(url, bulk=True)``."""
    ends = dict(targets) if targets is not None else partition_ends(settings, topics)
    engine = make_engine(url)
    try:
        starts = stored_offsets(engine)
    finally:
        engine.dispose()
    work = {key: end - starts.get(key, 0) for key, end in ends.items()}
    groups = share_out(work, lanes or default_lanes())
    if not groups:
        groups = [sorted(ends)]  # nothing to read: one lane records where things stand
    jobs = [
        LaneJob(
            settings=settings,
            url=url,
            topics=tuple(topics),
            targets={key: ends[key] for key in group},
            as_of=as_of,
            max_records=max_records,
            publish_dead_letters=publish_dead_letters,
            write_behind=len(groups) == 1,
            bulk=bulk,
        )
        for group in groups
    ]
    context = multiprocessing.get_context("spawn")  # a fork would copy our threads' locks
    # Lanes writing to one SQLite file take turns (see ``BatchWriter``).
    write_turns = context.Lock() if len(jobs) > 1 and url.startswith("sqlite") else None
    children = []
    for job in jobs[1:]:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_lane, args=(send, job, write_turns), name="reporting-lane")
        child.start()
        send.close()
        children.append((child, receive))
    outcomes = [_project(jobs[0], write_turns)]
    for child, receive in children:
        try:
            outcomes.append(receive.recv())
        except EOFError:
            outcomes.append(LaneOutcome(0, 0, 0, 0.0, f"lane exited with {child.exitcode}"))
        child.join()
    failed = [o.error for o in outcomes if o.error]
    if failed:
        raise RuntimeError("a replay lane failed: " + "; ".join(failed))
    status = ProjectorStatus(
        applied=sum(o.applied for o in outcomes),
        skipped=sum(o.skipped for o in outcomes),
        dead=sum(o.dead for o in outcomes),
        caught_up=True,
    )
    return LanesSummary(status, len(groups), [o.peak_rss_mb for o in outcomes])


def build_fresh(
    settings: Settings,
    url: str,
    *,
    lanes: int | None = None,
    topics: Sequence[str] = EVENT_TOPICS,
    targets: Mapping[Partition, int] | None = None,
    as_of: datetime | None = None,
) -> LanesSummary:
    """A new build of the read models at ``url`` (emptied first), bulk-loaded in lanes:
    secondary indexes are made once at the end, and dead letters are not published
    again (the live projector did that)."""
    engine = make_engine(url, bulk=True)
    try:
        create_tables(engine, fresh=True, indexes=False)
        summary = run_lanes(
            settings,
            url,
            lanes=lanes,
            topics=topics,
            targets=targets,
            as_of=as_of,
            publish_dead_letters=False,
            bulk=True,
        )
        create_indexes(engine)
    finally:
        engine.dispose()
    return summary


def _project(job: LaneJob, write_turns: WriteTurns | None) -> LaneOutcome:
    engine = make_engine(job.url, bulk=job.bulk)
    projector = Projector(
        job.settings,
        engine,
        topics=job.topics,
        as_of=job.as_of,
        max_records=job.max_records,
        publish_dead_letters=job.publish_dead_letters,
        partitions=job.targets,
        write_behind=job.write_behind,
        collect_between_batches=True,  # a lane's process does nothing else
        write_turns=write_turns,
    )
    try:
        status = projector.run_until(job.targets)
    finally:
        projector.close()
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return LaneOutcome(status.applied, status.skipped, status.dead, peak)


def _lane(send: Connection, job: LaneJob, write_turns: WriteTurns | None) -> None:
    """A child process's lane; its outcome (or error) goes back through ``send``."""
    try:
        outcome = _project(job, write_turns)
    except Exception as exc:  # reported to the parent, which raises
        outcome = LaneOutcome(0, 0, 0, 0.0, repr(exc))
    send.send(outcome)
    send.close()
