"""The Keycloak distribution for the local launcher: fetched once from Maven Central
(through mvn and its local repository) into the git-ignored .cache, checked against its
digest, unpacked; the JDK it runs on; the realm it imports. Used by keycloakctl.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KEYCLOAK_VERSION = "26.7.3"
ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
ZIP_SHA256 = "27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f"
REALM = "jiangxi-campaign"

HERE = Path(__file__).resolve().parent
REALM_FILE = HERE / "realm" / f"{REALM}.json"
DEV_REALM_FILE = HERE / "realm" / f"{REALM}.dev.json"
CACHE_DIR = HERE / ".cache"
DIST = CACHE_DIR / f"keycloak-{KEYCLOAK_VERSION}"
DIST_STAMP = CACHE_DIR / "dist.stamp"
# start-dev builds the server for the development profile into the distribution's
# lib/quarkus the first time (about a minute); every instance shares that build.
DEV_BUILD_STAMP = CACHE_DIR / "dev-build.stamp"

EXIT_FAILED = 1


class KeycloakCtlError(Exception):
    """A failure to report to the user; carries the process exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def info(message: str) -> None:
    print(f"keycloakctl: {message}", file=sys.stderr, flush=True)


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


# --------------------------------------------------------------------------- fetch


def dist_present() -> bool:
    try:
        stamped = DIST_STAMP.read_text(encoding="utf-8").strip() == ZIP_SHA256
    except OSError:
        return False
    return stamped and (DIST / "lib" / "quarkus-run.jar").is_file()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_dist(force: bool = False) -> None:
    """Copy the zip from Maven Central (through mvn and its local repository), check its
    digest and unpack it into .cache once; a stamp file marks success."""
    with file_lock(CACHE_DIR / "fetch.lock"):
        if dist_present() and not force:
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KeycloakCtlError("mvn not found on PATH; it is needed once to fetch Keycloak")
        download = CACHE_DIR / "download"
        shutil.rmtree(download, ignore_errors=True)
        info(f"fetching {ARTIFACT} with maven into {CACHE_DIR} ...")
        cmd = [mvn, "-B", "-q", "dependency:copy", f"-Dartifact={ARTIFACT}",
               f"-DoutputDirectory={download}"]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=CACHE_DIR)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise KeycloakCtlError(f"maven failed (exit {result.returncode}):\n{output}")
        archive = download / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        if (digest := sha256_of(archive)) != ZIP_SHA256:
            raise KeycloakCtlError(f"{archive.name} has sha256 {digest}, expected {ZIP_SHA256}")
        staging = CACHE_DIR / "unpack.partial"
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(archive) as unpacked:
            unpacked.extractall(staging)
        DIST_STAMP.unlink(missing_ok=True)
        DEV_BUILD_STAMP.unlink(missing_ok=True)
        shutil.rmtree(DIST, ignore_errors=True)
        (staging / DIST.name).rename(DIST)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(download, ignore_errors=True)
        DIST_STAMP.write_text(ZIP_SHA256 + "\n", encoding="utf-8")
        info(f"Keycloak {KEYCLOAK_VERSION} unpacked in {DIST}")


# --------------------------------------------------------------------------- java


def java_major(java: Path) -> int | None:
    try:
        result = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def java_candidates() -> Iterator[Path]:
    """KEYCLOAK_JAVA_HOME, JAVA_HOME and the java on PATH (as kafkactl chooses), then
    the JDKs installed in /usr/lib/jvm, newest first."""
    for variable in ("KEYCLOAK_JAVA_HOME", "JAVA_HOME"):
        if home := os.environ.get(variable):
            yield Path(home)
    if found := shutil.which("java"):
        yield Path(found).resolve().parent.parent
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        homes = [p for p in jvm.iterdir() if (p / "bin" / "java").is_file() and not p.is_symlink()]
        yield from sorted(homes, key=lambda p: java_major(p / "bin" / "java") or 0, reverse=True)


def java_home() -> Path:
    """Keycloak 26 runs on Java 17 or 21 and later; 18 to 20 are refused."""
    seen = []
    for home in java_candidates():
        major = java_major(home / "bin" / "java")
        seen.append(f"{home} ({major or 'no java'})")
        if major is not None and (major == 17 or major >= 21):
            return home
    raise KeycloakCtlError("no Java 17 or 21+ found; tried: " + ", ".join(seen or ["nothing"]))


def realm_import() -> dict[str, Any]:
    """The committed realm with the development-only parts (the CLI client, demo users)."""
    realm: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    dev: dict[str, Any] = json.loads(DEV_REALM_FILE.read_text(encoding="utf-8"))
    realm["clients"] = [*realm.get("clients", []), *dev["clients"]]
    realm["users"] = [*realm.get("users", []), *dev["users"]]
    return realm
