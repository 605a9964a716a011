"""Per-key locks: one holder per key at a time, nothing kept once a key is free."""

from __future__ import annotations

import asyncio

from shared.keyed_locks import KeyedLocks


async def test_same_key_waits_other_keys_do_not() -> None:
    locks = KeyedLocks()
    order: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold("tip-1"):
            order.append("first in")
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with locks.hold("tip-1"):
            order.append("second in")

    async def other() -> None:
        async with locks.hold("tip-2"):
            order.append("other in")

    tasks = [asyncio.create_task(first())]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(second()), asyncio.create_task(other())]
    await asyncio.sleep(0.01)
    assert order == ["first in", "other in"]  # tip-2 is not held up by tip-1
    assert len(locks) == 1  # tip-1: held and awaited; tip-2 already free again
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "other in", "first out", "second in"]
    assert len(locks) == 0


async def test_a_failing_holder_frees_its_key() -> None:
    locks = KeyedLocks()
    try:
        async with locks.hold("tip-1"):
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert len(locks) == 0
    async with locks.hold("tip-1"):
        assert len(locks) == 1
