"""Ids and tokens from the CSPRNG, and the receipt codes' randomness."""

from __future__ import annotations

import base64
import os
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.intake.application import secret_random_below
from services.intake.domain.receipt import ALPHABET, is_well_formed, new_receipt_code
from shared import ids
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


def test_random_below_is_exactly_uniform_over_every_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fed each byte value once, every symbol comes out equally often: the bytes at or
    above the largest multiple of 31 (248..255) are skipped, none is folded in."""
    draws = iter(bytes([b]) for b in range(256))
    monkeypatch.setattr(ids, "random_bytes", lambda n: next(draws))
    below = secret_random_below()
    counts = Counter(below(len(ALPHABET)) for _ in range(248))
    assert set(counts) == set(range(len(ALPHABET)))
    assert set(counts.values()) == {8}


def test_ids_and_tokens_come_from_the_operating_systems_source(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Every generator reads ``os.urandom`` (a CSPRNG), a block at a time: with the
    source replaced, the ids are exactly its bytes, and it is read once per block."""
    reads: list[int] = []

    def counted(n: int) -> bytes:
        reads.append(n)
        return bytes(range(256)) * (n // 256) + bytes(n % 256)

    monkeypatch.setattr(ids.os, "urandom", counted)
    ids._pool.forget()
    request.addfinalizer(ids._pool.forget)  # no other test may receive these bytes
    assert prefixed_id("tip-", 6) == "tip-000102"
    assert prefixed_id("meet-", 3) == "meet-030"
    assert unique_id() == str(uuid.UUID(bytes=bytes(range(5, 21)), version=4))
    assert ids.token_urlsafe(3) == base64.urlsafe_b64encode(bytes([21, 22, 23])).decode()
    assert reads == [ids.BLOCK]
    for _ in range(ids.BLOCK // 16):
        unique_id()
    assert reads == [ids.BLOCK, ids.BLOCK]


def test_an_id_generator_seeded_like_mt19937_is_gone() -> None:
    """The ids no longer come from ``random``: the module holds no ``random.Random``."""
    assert not any(isinstance(value, random.Random) for value in vars(ids).values())


def test_threads_never_receive_the_same_bytes() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(lambda _: [unique_id() for _ in range(5000)], range(8)))
    every = [i for batch in batches for i in batch]
    assert len(set(every)) == len(every)


def test_a_forked_child_does_not_repeat_its_parents_buffered_bytes() -> None:
    ids.random_bytes(1)  # the parent holds a partly used block
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(write, ids.random_bytes(32))
        os._exit(0)
    os.close(write)
    parent_next = ids.random_bytes(32)
    child_next = os.read(read, 64)
    os.waitpid(child, 0)
    assert len(child_next) == 32 and child_next != parent_next


def test_random_below_and_bytes_refuse_impossible_arguments() -> None:
    with pytest.raises(ValueError, match=r"1\.\.256"):
        ids.random_below(0)
    with pytest.raises(ValueError, match="negative"):
        ids.random_bytes(-1)
    assert len(ids.random_bytes(ids.BLOCK + 1)) == ids.BLOCK + 1


def test_receipt_codes_from_the_buffered_source_are_well_formed_and_distinct() -> None:
    codes = {new_receipt_code(secret_random_below()) for _ in range(2000)}
    assert len(codes) == 2000 and all(is_well_formed(code) for code in codes)


def test_secret_random_below_refuses_a_range_it_cannot_draw_from_bytes() -> None:
    with pytest.raises(ValueError, match=r"1\.\.256"):
        secret_random_below()(257)
