"""The local broker's runtime: its settings, the jars Maven fetches once into .cache/lib,
the java command lines, and its process (pid file, signals, ports). kafkactl.py runs
them. Standard library only."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "4.1.2"  # keep in sync with kafka.version in pom.xml
HOST = "127.0.0.1"
NODE_ID = 1

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
POM = HERE / "pom.xml"
LOG4J_CONFIG = HERE / "log4j2.yaml"
CACHE_DIR = HERE / ".cache"
LIB_DIR = CACHE_DIR / "lib"
STAMP_FILE = CACHE_DIR / "lib.stamp"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3
EXIT_PORT_IN_USE = 4

STOP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.25
LOG_TAIL_LINES = 60


class KafkaCtlError(Exception):
    """A failure to report to the user; carries the process exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Settings:
    port: int
    controller_port: int
    data_dir: Path
    heap: str
    timeout: float

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def server_properties(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "kafka.pid"

    @property
    def out_file(self) -> Path:
        return self.data_dir / "kafka.out"

    @property
    def meta_properties(self) -> Path:
        return self.log_dir / "meta.properties"


# --------------------------------------------------------------------------- output


def info(message: str) -> None:
    print(f"kafkactl: {message}", file=sys.stderr, flush=True)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- jars


def stamp_text() -> str:
    pom_hash = hashlib.sha256(POM.read_bytes()).hexdigest()
    return f"kafka_2.13={KAFKA_VERSION} pom-sha256={pom_hash}\n"


def jars_present() -> bool:
    try:
        stamp_ok = STAMP_FILE.read_text(encoding="utf-8") == stamp_text()
    except OSError:
        return False
    return stamp_ok and (LIB_DIR / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock, so parallel invocations do not race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_maven(target: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaCtlError("mvn not found on PATH; it is needed once to fetch the Kafka jars")
    cmd = [
        mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={target}",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise KafkaCtlError(f"maven failed (exit {result.returncode}):\n{output}")


def fetch_jars(force: bool = False) -> None:
    """Copy the broker's runtime jars into .cache/lib once; a stamp file marks success."""
    with file_lock(CACHE_DIR / "fetch.lock"):
        if jars_present() and not force:
            return
        info(f"fetching Kafka {KAFKA_VERSION} jars with maven into {LIB_DIR} ...")
        staging = CACHE_DIR / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        run_maven(staging)
        STAMP_FILE.unlink(missing_ok=True)
        shutil.rmtree(LIB_DIR, ignore_errors=True)
        staging.rename(LIB_DIR)
        STAMP_FILE.write_text(stamp_text(), encoding="utf-8")
        info(f"fetched {len(list(LIB_DIR.glob('*.jar')))} jars")


# --------------------------------------------------------------------------- java


def java_binary() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise KafkaCtlError("java not found: set JAVA_HOME or put java (17+) on PATH")
    return found


def heap_megabytes(heap: str) -> int:
    match = re.fullmatch(r"(\d+)([mMgG])", heap.strip())
    if match is None:
        raise KafkaCtlError(f"bad --heap {heap!r}: use e.g. 512m or 1g")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return amount * 1024 if unit == "g" else amount


def jvm_options(settings: Settings) -> list[str]:
    max_mb = heap_megabytes(settings.heap)
    return [
        f"-Xms{min(256, max_mb)}m",
        f"-Xmx{max_mb}m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        f"-Dkafka.logs.dir={settings.data_dir}",
    ]


def classpath() -> str:
    return f"{LIB_DIR}/*"


def broker_command(settings: Settings) -> list[str]:
    return [
        java_binary(), *jvm_options(settings), "-cp", classpath(),
        "kafka.Kafka", str(settings.server_properties),
    ]  # fmt: skip


def run_storage_tool(*args: str) -> str:
    cmd = [
        java_binary(), "-Xmx256m", f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        "-cp", classpath(), "kafka.tools.StorageTool", *args,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise KafkaCtlError(f"StorageTool {args[0]} failed (exit {result.returncode}):\n{output}")
    return result.stdout


# --------------------------------------------------------------------------- processes


def read_pid(settings: Settings) -> int | None:
    try:
        return int(settings.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    """True if pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def is_our_broker(pid: int, settings: Settings) -> bool:
    """Guard against a recycled pid: the process must be kafka.Kafka on our config."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"kafka.Kafka" in args and str(settings.server_properties).encode() in args


def running_pid(settings: Settings) -> int | None:
    pid = read_pid(settings)
    if pid is not None and process_alive(pid) and is_our_broker(pid, settings):
        return pid
    return None


def wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(POLL_INTERVAL_S)
    return not process_alive(pid)


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM (Kafka shuts down cleanly), then SIGKILL as a last resort."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_for_exit(pid, timeout):
        return
    info(f"broker pid {pid} ignored SIGTERM for {timeout:.0f}s; sending SIGKILL")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_for_exit(pid, 10.0)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True
