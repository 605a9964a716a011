"""The window of one page, taken from a scan without keeping every row."""

from __future__ import annotations

from collections.abc import Iterator

from shared.paging import window


def test_a_window_counts_every_row_and_keeps_one_page_in_key_order() -> None:
    rows = [(n * 7919) % 1000 for n in range(1000)]  # 0..999, shuffled
    total, page = window(rows, key=lambda n: n, offset=20, limit=5)
    assert total == 1000
    assert page == [20, 21, 22, 23, 24]


def test_rows_with_equal_keys_keep_the_order_they_came_in() -> None:
    rows = [("b", 1), ("a", 2), ("b", 3), ("a", 4)]
    assert window(rows, key=lambda r: r[0], offset=0, limit=3) == (
        4,
        [("a", 2), ("a", 4), ("b", 1)],
    )


def test_past_the_end_the_page_is_empty_and_the_total_still_counts() -> None:
    assert window(range(3), key=lambda n: n, offset=5, limit=10) == (3, [])


def test_a_window_holds_no_more_rows_than_the_page_reaches() -> None:
    held = 0
    most = 0

    class Row:
        def __init__(self, n: int) -> None:
            nonlocal held, most
            self.n = n
            held += 1
            most = max(most, held)

        def __del__(self) -> None:
            nonlocal held
            held -= 1

    def rows() -> Iterator[Row]:
        for n in range(10_000, 0, -1):  # worst case: every row beats the ones kept
            yield Row(n)

    total, page = window(rows(), key=lambda r: r.n, offset=10, limit=10)
    assert total == 10_000
    assert [r.n for r in page] == list(range(11, 21))
    assert most <= 20 + 2  # the page so far, plus the row being compared
