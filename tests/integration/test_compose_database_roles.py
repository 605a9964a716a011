"""deploy/compose/postgres-init.sh on a real PostgreSQL: the key store and the read
models each get a role that owns its database, where the services' own code creates
its tables, and that cannot reach the other's database, the superuser's database, or
make roles and databases. (The test server trusts local logins, so passwords are not
what is tested here; who may connect to what is.)"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.reporting.readmodels.schema import create_tables, make_engine
from shared.privacy import KeyStore
from tests.reporting.postgres import local_postgres

ROOT = Path(__file__).resolve().parents[2]
INIT_SCRIPT = ROOT / "deploy" / "compose" / "postgres-init.sh"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, str]]:
    """A server of its own (the roles and databases are cluster-wide), initialised by
    the compose init script as the postgres image would run it."""
    with local_postgres("campaign-test-roles-") as url:
        started = make_url(url)
        assert started.port is not None and started.username is not None
        yield started.port, started.username


def _init(port: int, superuser: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(INIT_SCRIPT)],
        env={
            **os.environ,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(port),
            "POSTGRES_USER": superuser,
            **env,
        },
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def initialised(server: tuple[int, str]) -> int:
    port, superuser = server
    done = _init(
        port,
        superuser,
        KEYSTORE_DB_PASSWORD="k-secret",
        READMODEL_DB_PASSWORD="r-secret",
        KEYCLOAK_DB_PASSWORD="kc-secret",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return port


def _url(port: int, role: str, database: str) -> str:
    return f"postgresql+psycopg://{role}:pw@127.0.0.1:{port}/{database}"


def _can_connect(port: int, role: str, database: str) -> bool:
    engine = create_engine(_url(port, role, database))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError as refused:
        assert "permission denied for database" in str(refused), refused
        return False
    finally:
        engine.dispose()


def test_the_script_refuses_to_run_without_the_role_passwords(server: tuple[int, str]) -> None:
    port, superuser = server
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DB_PASSWORD")}
    done = subprocess.run(
        ["sh", str(INIT_SCRIPT)],
        env={**env, "PGHOST": "127.0.0.1", "PGPORT": str(port), "POSTGRES_USER": superuser},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "KEYSTORE_DB_PASSWORD" in done.stderr


def test_each_role_reaches_its_own_database_only(initialised: int) -> None:
    port = initialised
    assert _can_connect(port, "keystore", "keystore")
    assert _can_connect(port, "readmodels", "readmodels")
    assert not _can_connect(port, "keystore", "readmodels")
    assert not _can_connect(port, "readmodels", "keystore")
    assert not _can_connect(port, "keystore", "postgres")
    assert not _can_connect(port, "readmodels", "postgres")


def test_the_services_create_their_tables_as_these_roles(initialised: int) -> None:
    port = initialised
    store = KeyStore(_url(port, "keystore", "keystore"))
    key = store.key_for("subject-1", create=True)
    assert key is not None and store.key_for("subject-1", create=False) == key
    store.engine.dispose()
    engine = make_engine(_url(port, "readmodels", "readmodels"))
    try:
        create_tables(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM subjects")).scalar_one() == 0
    finally:
        engine.dispose()


def test_the_roles_cannot_make_roles_or_databases_or_write_elsewhere(initialised: int) -> None:
    port = initialised
    for role in ("keystore", "readmodels"):
        engine = create_engine(_url(port, role, role)).execution_options(
            isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as conn:
                flags = conn.execute(
                    text(
                        "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                        "WHERE rolname = current_user"
                    )
                ).one()
                assert tuple(flags) == (False, False, False)
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text("CREATE DATABASE intruder"))
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text("CREATE ROLE intruder"))
        finally:
            engine.dispose()
