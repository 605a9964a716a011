"""Sharing partitions out between replay lanes."""

from __future__ import annotations

from services.reporting.readmodels.lanes import share_out


def test_partitions_are_shared_out_by_the_records_left_to_read() -> None:
    work = {("a", 0): 100, ("a", 1): 60, ("a", 2): 50, ("b", 0): 10, ("b", 1): 0}
    groups = share_out(work, 2)
    # greedy, largest first: 100 | 60, then 50 joins 60, then 10 joins 100: 110 each
    assert sorted(groups) == [[("a", 0), ("b", 0)], [("a", 1), ("a", 2)]]
    # every partition with work is in exactly one lane; the idle one in none
    flat = [p for group in groups for p in group]
    assert sorted(flat) == sorted(p for p, n in work.items() if n > 0)


def test_no_more_lanes_than_partitions_with_work() -> None:
    assert share_out({("a", 0): 5, ("a", 1): 0}, 4) == [[("a", 0)]]
    assert share_out({("a", 0): 0}, 2) == []
    assert share_out({("a", 0): 3, ("a", 1): 3}, 1) == [[("a", 0), ("a", 1)]]
