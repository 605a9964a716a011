"""The single writer of a state file: an exclusive ``flock`` on a lock file beside it,
taken when the file opens and held until it closes (or the process ends, when the
kernel lets go of it, however the process ended).

A second process opening the same state file is refused with the holder's pid, which
the holder writes into the lock file. The lock file itself is never removed: a process
that unlinked it could lock a new one while another still holds the old.

Within one process a state file is held once too. A holder that stopped cleanly (its
service ended; tests start a service again in the same process) is closed and the
file handed over; one nothing refers to is collected first; one in use is refused
like another process.
"""

from __future__ import annotations

import fcntl
import gc
import os
import weakref
from pathlib import Path
from typing import Protocol


class StateFileInUse(RuntimeError):
    """Another writer holds the state file: this one must not write it."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        self.zh, self.en = self.messages()
        super().__init__(f"{self.zh} / {self.en}")

    def messages(self) -> tuple[str, str]:
        held = "pid 未知" if self.pid is None else f"pid {self.pid}"
        return (
            f"状态文件 {self.path} 已由另一个进程使用（{held}）",
            f"the state file {self.path} is in use by another process "
            f"({'pid unknown' if self.pid is None else held})",
        )


class Holder(Protocol):
    """What holds a lock: asked, when the same process opens the file again, whether it
    stopped cleanly, and then closed."""

    @property
    def is_stopped(self) -> bool: ...

    def close(self) -> None: ...


# The holders of this process, by resolved path; weak, so that a holder collected
# without being closed does not keep its file.
_HELD: weakref.WeakValueDictionary[Path, Holder] = weakref.WeakValueDictionary()


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class WriterLock:
    def __init__(self, path: Path, holder: Holder) -> None:
        """Take the lock of the state file at ``path`` for ``holder``, or raise
        ``StateFileInUse``."""
        self._key = path.resolve()
        earlier = _HELD.get(self._key)
        if earlier is not None and earlier is not holder and not earlier.is_stopped:
            # One no one refers to any more (an app built and dropped unstarted) waits
            # only for the collector to let go of its file.
            del earlier
            gc.collect()
            earlier = _HELD.get(self._key)
        if earlier is not None and earlier is not holder:
            if not earlier.is_stopped:
                raise StateFileInUse(path, os.getpid())
            earlier.close()
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _pid_in(fd)
            os.close(fd)
            raise StateFileInUse(path, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        # Closing the descriptor lets go of the lock; also when the holder is collected.
        self._release = weakref.finalize(self, os.close, fd)
        _HELD[self._key] = holder

    def release(self) -> None:
        if self._release.alive:
            _HELD.pop(self._key, None)
            self._release()


def _pid_in(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
