"""Fixtures of tests/tokens: the misbehaving loopback stand-in for Ledgerflow (one per test
module), and a throwaway PostgreSQL server, started by the tests.

Why a Debian/PGDG PostgreSQL install rather than a pip-installed server: the machine image
has PostgreSQL 15 (``/usr/lib/postgresql/*/bin``), and on a fresh CI machine ``.ci/run``
installs Debian's ``postgresql`` package when ``initdb`` is missing — a signed distribution
package that installs in seconds and is the server users run. The server refuses to run as
root, so as root it runs as the ``postgres`` user the package creates. It listens on a Unix
socket in a temporary directory only (no TCP port, nothing to collide with).

A test that needs a server fails under ``CI`` when none can be started, and skips (saying
why) elsewhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from typing import Iterator, List

import pytest

from .loopback import LoopbackServer


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    """The misbehaving stand-in (``tests/tokens/loopback.py``), shared by a module's tests."""
    running = LoopbackServer()
    yield running
    running.stop()


def missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def postgres_bin() -> str | None:
    override = os.environ.get("LEDGERFLOW_PG_BIN")
    if override:
        return override
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(os.path.realpath(initdb)) if initdb else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """An SQLAlchemy URL of a fresh PostgreSQL server (psycopg 3 over a Unix socket)."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as error:
        missing(f"needs SQLAlchemy and psycopg (pip install -e '.[test]'): {error}")
    bindir = postgres_bin()
    if bindir is None:
        missing("needs PostgreSQL's initdb/pg_ctl (apt-get install postgresql; .ci/run does this)")
    assert bindir is not None
    run_as: List[str] = []
    directory = tempfile.mkdtemp(prefix="ledgerflow-pg-")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            missing("running as root needs a 'postgres' user to run the server as (the postgresql package makes one)")
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(directory, "data")
    port = "5439"
    log = os.path.join(directory, "server.log")
    try:
        subprocess.run(run_as + [f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "test", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run(run_as + [f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
                                 f"-k {directory} -p {port} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(directory, ignore_errors=True)
        missing(f"could not start PostgreSQL from {bindir}: {error} {detail.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://test@/postgres?host={directory}&port={port}"
    finally:
        subprocess.run(run_as + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)
