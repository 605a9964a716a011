"""Identifiers that must be unique but need not be secret (event, correlation and
aggregate ids).

``uuid.uuid4()`` reads the operating system's random source each time, and CPython lets
go of the GIL around that read: on a busy event loop each id could wait for another
thread to hand the GIL back. These come from a generator seeded once per process from
that source (and again in a forked child), which is as unique and costs no system
call. Anything a person could guess to their advantage (receipt codes, keys) still
comes from ``secrets``."""

from __future__ import annotations

import os
import random
import uuid

_generator = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _generator.seed(os.urandom(32)))


def unique_id() -> str:
    """A random (version 4) UUID as text."""
    return str(uuid.UUID(int=_generator.getrandbits(128), version=4))


def prefixed_id(prefix: str, hex_digits: int) -> str:
    """``prefix`` followed by ``hex_digits`` random hex digits (an aggregate's id)."""
    return f"{prefix}{_generator.getrandbits(4 * hex_digits):0{hex_digits}x}"
