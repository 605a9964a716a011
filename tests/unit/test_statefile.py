"""The state file deciding services keep their aggregates in."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.state import Aggregate, Position, StateCodec, StateFile, StateFileInUse
from shared.state.file import FORMAT

T0 = datetime(2016, 9, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Counter:
    name: str
    count: int
    seen: frozenset[str] = frozenset()


def counters(path: Path | None = None, *, recent: int = 4096) -> StateFile:
    """A state file whose kinds ``counter`` and ``other`` keep Counters."""
    state = StateFile(path, recent=recent)
    for kind in ("counter", "other"):
        state.register(kind, StateCodec(Counter))
    return state


def test_an_aggregate_comes_back_as_it_was_saved() -> None:
    state = counters()
    assert state.load("a") is None
    state.save("a", Aggregate("counter", Counter("a", 1, frozenset({"x"})), 1))
    state.save("a", Aggregate("counter", Counter("a", 2, frozenset({"x", "y"})), 2))
    loaded = state.load("a")
    assert loaded == Aggregate("counter", Counter("a", 2, frozenset({"x", "y"})), 2)


def test_aggregates_pushed_out_of_memory_are_read_back_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    state = counters(path, recent=100)
    many = 1234
    for i in range(many):
        state.save(f"a{i}", Aggregate("counter", Counter(f"a{i}", i), 1))
    state.save("a0", Aggregate("counter", Counter("a0", -1), 2))  # changed after written
    state.flush()
    assert state.load("a0") == Aggregate("counter", Counter("a0", -1), 2)
    assert state.load("a1") == Aggregate("counter", Counter("a1", 1), 1)
    state.close()
    with sqlite3.connect(path) as reader:
        assert reader.execute("SELECT count(*) FROM aggregates").fetchone() == (many,)


def test_a_scan_reads_every_aggregate_of_one_kind_in_the_order_first_saved() -> None:
    state = counters()
    ids = [f"c{i:04d}" for i in range(1234)]  # more than one chunk
    for i, aggregate_id in enumerate(reversed(ids)):
        state.save(aggregate_id, Aggregate("counter", Counter(aggregate_id, i), 1))
        state.save(f"o{i}", Aggregate("other", Counter("o", i), 1))
    state.save(ids[0], Aggregate("counter", Counter(ids[0], -1), 2))  # an update
    scanned = list(state.scan("counter"))
    assert [aggregate_id for aggregate_id, _ in scanned] == list(reversed(ids))
    assert scanned[-1][1] == Counter(ids[0], -1)
    assert len(list(state.scan("other"))) == 1234


def test_due_aggregates_come_earliest_first_and_leave_when_nothing_is_pending() -> None:
    state = counters()
    for name, days in (("late", 5), ("early", 1), ("none", None)):
        due = None if days is None else T0 + timedelta(days=days)
        state.save(name, Aggregate("counter", Counter(name, 0), 1), due)
    state.save("other", Aggregate("other", Counter("x", 0), 1), T0)
    assert state.due(("counter",), T0) == []
    later = T0 + timedelta(days=9)
    assert state.due(("counter",), later) == [("counter", "early"), ("counter", "late")]
    assert state.due(("counter", "other"), later) == [
        ("other", "other"),
        ("counter", "early"),
        ("counter", "late"),
    ]
    state.save("early", Aggregate("counter", Counter("early", 1), 2), None)
    assert state.due(("counter",), later) == [("counter", "late")]


def test_a_lookup_keeps_every_value_in_the_order_filed() -> None:
    state = counters()
    merged = state.lookup("merged")
    merged.put("t1", "t3")
    merged.put("t1", "t2")
    merged.put("t1", "t3")  # filed again: kept once
    assert merged.values("t1") == ["t3", "t2"]
    assert merged.get("t1") == "t3"
    assert state.lookup("other").get("t1") is None


def test_a_file_another_state_file_holds_is_refused_and_left_to_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "svc.sqlite"
    old = counters(path)
    old.save("a", Aggregate("counter", Counter("a", 1), 1))
    for i in range(600):  # past a commit
        old.lookup("l").put(str(i), "v")
    with pytest.raises(StateFileInUse, match=f"pid {os.getpid()}"):
        counters(path)
    old.save("b", Aggregate("counter", Counter("b", 1), 1))  # still the one writer
    old.flush()
    assert old.load("a") is not None and old.lookup("l").get("1") == "v"


def test_a_file_whose_holder_stopped_is_handed_over_within_the_process(tmp_path: Path) -> None:
    path = tmp_path / "state" / "svc.sqlite"
    old = counters(path)
    fill(old)
    old.stopped()  # a service of this process ended (tests start one again)
    new = counters(path)
    assert new.resumed and new.load("a") == Aggregate("counter", Counter("a", 1), 1)
    with pytest.raises(sqlite3.ProgrammingError):
        old.load("b")  # the old one let go of the file: it cannot write a second copy


def fill(state: StateFile) -> None:
    state.save("a", Aggregate("counter", Counter("a", 1), 1), T0)
    state.lookup("by-name").put("x", "a")
    state.worklist("todo").add("a")
    state.worklist("todo").add("b")
    state.worklist("todo").discard("b")
    state.folded("topic", 0, 0, "event-0")
    state.folded("topic", 1, 0, "event-1")


def test_a_cleanly_stopped_file_reopens_with_state_lookups_work_and_positions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "svc.sqlite"
    first = counters(path)
    assert not first.resumed
    fill(first)
    first.close()
    again = counters(path)
    assert again.resumed
    assert again.load("a") == Aggregate("counter", Counter("a", 1), 1)
    assert again.due(("counter",), T0) == [("counter", "a")]
    assert again.lookup("by-name").get("x") == "a"
    assert again.worklist("todo").members() == ["a"]
    assert again.positions("topic") == {0: Position(1, "event-0"), 1: Position(1, "event-1")}


def test_a_file_whose_tables_are_of_another_format_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    first = counters(path)
    fill(first)
    first.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(int(FORMAT) - 1),))
    other = counters(path)
    assert not other.resumed
    assert other.load("a") is None and other.lookup("by-name").get("x") is None
    assert other.worklist("todo").members() == [] and other.positions("topic") == {}


def test_a_file_whose_process_died_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    crash = (
        "import sys; from pathlib import Path\n"
        "from tests.unit.test_statefile import counters, fill\n"
        "state = counters(Path(sys.argv[1]))\n"
        "fill(state)\n"
        "state.flush()\n"
        "import os; os._exit(9)\n"  # no clean stop: as a SIGKILL would leave it
    )
    root = Path(__file__).resolve().parents[2]
    died = subprocess.run([sys.executable, "-c", crash, str(path)], cwd=root, check=False)
    assert died.returncode == 9
    after = counters(path)
    assert not after.resumed and after.load("a") is None


def test_a_write_after_a_clean_stop_takes_the_mark_back(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    state = counters(path)
    fill(state)
    state.stopped()
    state.save("late", Aggregate("counter", Counter("late", 1), 1))
    state.flush()
    state.file.db.close()  # gone without stopping again
    del state
    gc.collect()  # and its lock with it, as with a process that died
    assert not counters(path).resumed


def test_a_position_moves_only_over_offsets_without_gaps() -> None:
    state = counters()
    state.folded("t", 0, 0, "e0")
    state.folded("t", 0, 2, "e2")  # acknowledged before offset 1's command evolved
    state.folded("t", 0, 3, "e3")
    assert state.positions("t") == {0: Position(1, "e0")}
    state.folded("t", 0, 1, "e1")
    assert state.positions("t") == {0: Position(4, "e3")}
    state.folded("t", 0, 2, "e2")  # folded again by a replay: nothing moves
    assert state.positions("t") == {0: Position(4, "e3")}


def test_a_cleared_file_forgets_everything(tmp_path: Path) -> None:
    state = counters(tmp_path / "svc.sqlite")
    fill(state)
    state.flush()
    state.clear()
    assert state.load("a") is None and state.lookup("by-name").get("x") is None
    assert state.worklist("todo").members() == [] and state.positions("topic") == {}
    assert list(state.scan("counter")) == []


def test_aggregates_beyond_the_memory_limit_are_written_in_batches() -> None:
    state = counters(recent=10)
    statements: list[str] = []
    state.file.db.set_trace_callback(statements.append)
    for i in range(1000):
        state.save(f"a{i}", Aggregate("counter", Counter(f"a{i}", i), 1))
    commits = sum(1 for statement in statements if statement.upper().startswith("COMMIT"))
    # An aggregate leaves memory only once written; it must not cost a commit of its own.
    assert 0 < commits <= 1000 // 10 + 1
    assert state.load("a0") == Aggregate("counter", Counter("a0", 0), 1)


def test_a_file_whose_holder_is_dropped_unstopped_is_handed_over(tmp_path: Path) -> None:
    path = tmp_path / "state" / "svc.sqlite"
    dropped = counters(path)
    fill(dropped)
    dropped.flush()
    del dropped  # as an app built and never started: nothing refers to its file
    assert not counters(path).resumed
