"""Ids that must be unique but need not be secret, and the receipt codes' randomness."""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest

from services.intake import application
from services.intake.application import secret_random_below
from services.intake.domain.receipt import ALPHABET, is_well_formed, new_receipt_code
from shared.ids import prefixed_id, unique_id


def test_unique_ids_are_version_4_uuids_and_do_not_repeat() -> None:
    ids = [unique_id() for _ in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids[:1000])


def test_prefixed_ids_keep_their_length_and_do_not_repeat() -> None:
    ids = [prefixed_id("tip-", 20) for _ in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 24 and i.startswith("tip-") for i in ids)
    assert all(set(i[4:]) <= set("0123456789abcdef") for i in ids[:1000])


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next id, then leave at once
        os.write(write, unique_id().encode())
        os._exit(0)
    os.close(write)
    parent_next = unique_id()
    child_next = os.read(read, 64).decode()
    os.waitpid(child, 0)
    assert uuid.UUID(child_next) and child_next != parent_next


def test_secret_random_below_is_exactly_uniform_over_every_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fed each byte value once, every symbol comes out equally often: the bytes at or
    above the largest multiple of 31 (248..255) are skipped, none is folded in."""
    draws = iter([bytes(range(256))[i : i + 32] for i in range(0, 256, 32)])
    monkeypatch.setattr(application.secrets, "token_bytes", lambda n: next(draws))
    below = secret_random_below()
    counts = Counter(below(len(ALPHABET)) for _ in range(248))
    assert set(counts) == set(range(len(ALPHABET)))
    assert set(counts.values()) == {8}


def test_receipt_codes_from_the_buffered_source_are_well_formed_and_distinct() -> None:
    codes = {new_receipt_code(secret_random_below()) for _ in range(2000)}
    assert len(codes) == 2000 and all(is_well_formed(code) for code in codes)


def test_secret_random_below_refuses_a_range_it_cannot_draw_from_bytes() -> None:
    with pytest.raises(ValueError, match=r"1\.\.256"):
        secret_random_below()(257)
