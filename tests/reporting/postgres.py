"""A PostgreSQL server of a test's own, from ``deploy/postgres/pgctl.py``: the read
models' tests share one for the session, the database roles' test makes its own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PGCTL = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "pgctl.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_postgres(prefix: str) -> Iterator[str]:
    """A server started in a fresh data directory (named from ``prefix``); its URL (the
    ``campaign`` database) while it runs, then it is stopped and its data removed."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    started = subprocess.run(
        [sys.executable, str(PGCTL), "start", "--port", str(free_port()), "--data-dir", data_dir],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start:\n{started.stdout}\n{started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            [sys.executable, str(PGCTL), "stop", "--data-dir", data_dir], capture_output=True
        )
        shutil.rmtree(data_dir, ignore_errors=True)
