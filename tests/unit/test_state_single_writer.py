"""One writer per state file: a second process on the same file, or a second service
process on the same data directory, is refused with the holder's pid."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.state import Aggregate, StateCodec, StateFile, StateFileInUse, service_state_file

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_intake_process_on_the_same_data_directory_exits_with_a_message(
    tmp_path: Path,
) -> None:
    held = service_state_file(tmp_path, "intake")
    held.register("counter", StateCodec(int))
    held.save("c1", Aggregate("counter", 1, 1))
    held.flush()
    path = tmp_path / "state" / "intake.sqlite"
    inode = path.stat().st_ino
    env = {**os.environ, "DATA_DIR": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    second = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "intake"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode != 0
    pid = os.getpid()
    assert f"数据目录 {tmp_path} 已由另一个 intake 进程使用（pid {pid}）" in second.stderr
    assert f"the data directory {tmp_path} is in use by another intake process (pid {pid})" in (
        second.stderr
    )
    assert "Traceback" not in second.stderr
    # The file it found is the holder's still, neither replaced nor written.
    assert path.stat().st_ino == inode
    assert held.load("c1") == Aggregate("counter", 1, 1)
    held.close()


HOLDER = """
import sys
from pathlib import Path
from shared.state import StateFile
state = StateFile(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()  # until the test lets go
state.close()
"""


def test_a_file_another_process_holds_is_refused_until_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StateFileInUse) as refused:
            StateFile(path)
        assert refused.value.pid == holder.pid
        assert f"（pid {holder.pid}）" in str(refused.value)
    finally:
        holder.communicate("", timeout=60)
    assert holder.returncode == 0
    assert StateFile(path).resumed
