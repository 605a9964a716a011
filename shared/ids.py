"""Every identifier and token of the platform, from the operating system's CSPRNG.

Ids travel in headers (``X-Correlation-ID``), URLs and events: a generator whose state
can be recovered from the ids it gave (MT19937 from about 160 UUIDs) would let anyone
predict the next tip, meeting or event id. So all of them come from ``os.urandom``.

``os.urandom`` is a system call, and CPython lets go of the GIL around it: one read
per id on a busy event loop could wait for another thread to hand the GIL back. The
bytes are therefore read in blocks of ``BLOCK`` and handed out from a buffer, which is
as unpredictable and costs one system call per few hundred ids. A forked child drops
its parent's buffer, or both would hand out the same ids."""

from __future__ import annotations

import base64
import os
import threading
import uuid

BLOCK = 4096


class _Pool:
    """Random bytes from ``os.urandom``, read ``BLOCK`` at a time. Thread-safe: two
    threads never receive the same bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._position = 0

    def take(self, n: int) -> bytes:
        if n > BLOCK:
            return os.urandom(n)
        with self._lock:
            end = self._position + n
            if end > len(self._buffer):
                self._buffer = os.urandom(BLOCK)
                self._position, end = 0, n
            taken = self._buffer[self._position : end]
            self._position = end
            return taken

    def forget(self) -> None:
        """Drop the buffer (in a forked child, whose copy the parent also holds)."""
        self._lock = threading.Lock()
        self._buffer = b""
        self._position = 0


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.forget)


def random_bytes(n: int) -> bytes:
    """``n`` bytes from the CSPRNG."""
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    return _pool.take(n)


def unique_id() -> str:
    """A random (version 4) UUID as text."""
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def new_event_id() -> str:
    """A CloudEvents ``id``: a random UUID, unique per event across every topic."""
    return unique_id()


def prefixed_id(prefix: str, hex_digits: int) -> str:
    """``prefix`` followed by ``hex_digits`` random hex digits (an aggregate's id)."""
    return prefix + token_hex((hex_digits + 1) // 2)[:hex_digits]


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as lower-case hex (as ``secrets.token_hex`` gives)."""
    return random_bytes(nbytes).hex()


def token_urlsafe(nbytes: int) -> str:
    """``nbytes`` random bytes as URL-safe base64 without padding (a secret token, as
    ``secrets.token_urlsafe`` gives)."""
    return base64.urlsafe_b64encode(random_bytes(nbytes)).rstrip(b"=").decode("ascii")


def random_below(n: int) -> int:
    """A uniform integer in ``0 .. n - 1`` for ``1 <= n <= 256`` (one symbol of a code):
    a byte at or above the largest multiple of ``n`` is skipped, never folded in."""
    if not 0 < n <= 256:
        raise ValueError(f"n must be in 1..256, not {n}")
    limit = 256 - 256 % n
    while True:
        byte = random_bytes(1)[0]
        if byte < limit:
            return byte % n
