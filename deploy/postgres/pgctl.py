#!/usr/bin/env python3
"""A throwaway local PostgreSQL cluster for tests and development, no Docker.

    pgctl.py start --port 55432 --data-dir /tmp/pg   # prints a SQLAlchemy URL
    pgctl.py stop  --data-dir /tmp/pg
    pgctl.py status --data-dir /tmp/pg

Installs PostgreSQL from Debian's packages (``apt-get install -y postgresql``) when
``initdb`` is missing. PostgreSQL refuses to run as root, so when started by root the
cluster belongs to the ``postgres`` system user (created by the package) and commands
run through ``runuser``. Authentication is ``trust`` on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

DATABASE = "campaign"
USER = "campaign"


def _bin_dir() -> Path | None:
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def ensure_installed() -> Path:
    bin_dir = _bin_dir()
    if bin_dir is not None:
        return bin_dir
    if os.geteuid() != 0:
        sys.exit("PostgreSQL is not installed; run as root or: apt-get install -y postgresql")
    print("installing PostgreSQL from Debian packages", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True, env=env)
    bin_dir = _bin_dir()
    if bin_dir is None:
        sys.exit("apt-get installed postgresql but initdb was not found")
    return bin_dir


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_owner(command), text=True, capture_output=True, **options)  # type: ignore[call-overload, no-any-return]


def url(port: int) -> str:
    return f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{DATABASE}"


def start(data_dir: Path, port: int) -> int:
    bin_dir = ensure_installed()
    data_dir.mkdir(parents=True, exist_ok=True)
    cluster = data_dir / "cluster"
    sockets = data_dir / "run"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
        data_dir.chmod(0o700)
    if not (cluster / "PG_VERSION").exists():
        initdb = [
            str(bin_dir / "initdb"),
            "-D",
            str(cluster),
            "-A",
            "trust",
            "-U",
            USER,
            "-E",
            "UTF8",
        ]
        # C.UTF-8 where the system has it, else plain C.
        made = _run([*initdb, "--locale=C.UTF-8"])
        if made.returncode != 0:
            made = _run([*initdb, "--locale=C"])
        if made.returncode != 0:
            print(made.stdout, made.stderr, file=sys.stderr)
            return 1
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    started = _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(cluster),
            "-o",
            options,
            "-l",
            str(data_dir / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    if started.returncode != 0:
        print(started.stdout, started.stderr, file=sys.stderr)
        log = data_dir / "postgres.log"
        if log.exists():
            print(log.read_text()[-3000:], file=sys.stderr)
        return 1
    created = _run(
        [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE]
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        print(created.stderr, file=sys.stderr)
        return 1
    (data_dir / "port").write_text(str(port))
    print(url(port))
    return 0


def stop(data_dir: Path) -> int:
    bin_dir = ensure_installed()
    cluster = data_dir / "cluster"
    if not (cluster / "postmaster.pid").exists():
        return 0
    stopped = _run([str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "fast", "-w", "stop"])
    if stopped.returncode != 0:
        print(stopped.stdout, stopped.stderr, file=sys.stderr)
    return stopped.returncode


def status(data_dir: Path) -> int:
    bin_dir = ensure_installed()
    result = _run([str(bin_dir / "pg_ctl"), "-D", str(data_dir / "cluster"), "status"])
    print(result.stdout.strip() or result.stderr.strip())
    port_file = data_dir / "port"
    if result.returncode == 0 and port_file.exists():
        print(url(int(port_file.read_text())))
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop", "status", "install"])
    parser.add_argument("--port", type=int, default=55432)
    parser.add_argument("--data-dir", type=Path, default=Path("var/postgres"))
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    if args.action == "install":
        print(ensure_installed())
        return 0
    if args.action == "start":
        return start(data_dir, args.port)
    if args.action == "stop":
        return stop(data_dir)
    return status(data_dir)


if __name__ == "__main__":
    raise SystemExit(main())
