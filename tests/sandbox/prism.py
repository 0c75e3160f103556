"""Prism (npm ``@stoplight/prism-cli`` 5) serving Xero's accounting spec on a free loopback port, for
the forwarding tests and the sandbox bench.

Installed with npm into ``<cache>/prism`` (``$LEDGERFLOW_XERO_CACHE``, else
``$XDG_CACHE_HOME/ledgerflow-xero``, else ``~/.cache/ledgerflow-xero``), never globally. Prism grows
to gigabytes under load: keep each run short and stop it (:func:`running_prism` does).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

PRISM_PACKAGE = "@stoplight/prism-cli@5"
SPEC = Path("specs/xero-openapi-16.1.0/xero_accounting.yaml")


class PrismUnavailable(RuntimeError):
    """Prism could not be installed or started; the message says why."""


def cache_dir() -> Path:
    explicit = os.environ.get("LEDGERFLOW_XERO_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ledgerflow-xero"


def install_prism() -> Path:
    """Prism's executable, installing it with npm into the cache on first use."""
    prefix = cache_dir() / "prism"
    executable = prefix / "node_modules" / ".bin" / "prism"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        raise PrismUnavailable(f"npm is not on PATH; it installs {PRISM_PACKAGE}")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save",
                           PRISM_PACKAGE], capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not executable.exists():
        raise PrismUnavailable(f"npm install {PRISM_PACKAGE} failed: {(done.stdout + done.stderr)[-500:]}")
    return executable


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_prism(spec: Path, *, startup_timeout: float = 180.0) -> Iterator[str]:
    """Prism mocking ``spec`` on 127.0.0.1:<free port> for the ``with`` block; yields its base URL."""
    if not spec.is_file():
        raise PrismUnavailable(f"no spec at {spec}")
    executable = install_prism()
    port = _free_port()
    log = open(cache_dir() / f"prism-{port}.log", "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen([str(executable), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise PrismUnavailable(f"prism exited with {process.returncode}; see {log.name}")
            with socket.socket() as probe:
                probe.settimeout(0.5)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise PrismUnavailable(f"prism did not listen within {startup_timeout:.0f} s; see {log.name}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # its own session: npm's node children go too
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
