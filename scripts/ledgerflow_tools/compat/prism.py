"""The Prism mock of Xero's accounting API that 11 of upstream's tests talk to.

Upstream's tests hard-code ``http://127.0.0.1:4010``, so only one Prism can run on a
machine at a time: :class:`PrismServer` holds an exclusive ``flock`` on
:data:`LOCK_PATH` from before it starts Prism until after Prism is gone, and other runs
wait for it. Prism itself (npm ``@stoplight/prism-cli`` 5.x) is installed with npm into
the cache folder, never globally.
"""

from __future__ import annotations

import fcntl
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO, Any, Callable

from ..errors import UpstreamSuiteError
from .paths import cache_dir as default_cache_dir
from .paths import shared_dir

PRISM_NPM_PACKAGE = "@stoplight/prism-cli@5"
PRISM_HOST = "127.0.0.1"
PRISM_PORT = 4010
LOCK_PATH = Path(f"/tmp/ledgerflow-prism-{PRISM_PORT}.lock")
SPEC_RELATIVE_PATH = Path("specs/xero-openapi-16.1.0/xero_accounting.yaml")
STARTUP_TIMEOUT_SECONDS = 120.0


def default_spec() -> Path | None:
    """Xero's accounting spec in the project's shared data folder, when there is one."""
    shared = shared_dir()
    return shared / SPEC_RELATIVE_PATH if shared is not None else None


def install_prism(cache: Path | None = None, echo: Callable[[str], None] = print) -> Path:
    """Install Prism 5 with npm into ``<cache>/prism`` (once) and return its executable."""
    prefix = (cache or default_cache_dir()) / "prism"
    executable = prefix / "node_modules" / ".bin" / "prism"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        raise UpstreamSuiteError(
            f"npm is not on PATH: it is needed to install Prism ({PRISM_NPM_PACKAGE}) for the upstream "
            "tests that use the accounting API mock; install Node.js/npm, or pass --offline to run the rest"
        )
    prefix.mkdir(parents=True, exist_ok=True)
    echo(f"installing {PRISM_NPM_PACKAGE} with npm into {prefix}")
    completed = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", PRISM_NPM_PACKAGE],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if completed.returncode != 0 or not executable.exists():
        tail = "\n".join(completed.stdout.strip().splitlines()[-5:])
        raise UpstreamSuiteError(f"npm could not install {PRISM_NPM_PACKAGE} into {prefix}:\n{tail}")
    return executable


def _port_answers(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


class PrismServer:
    """Prism serving ``spec`` on 127.0.0.1:4010 while the accounting-API lock is held.

    Use as a context manager, or :meth:`start` (returns at once), :meth:`wait_ready`,
    :meth:`stop`. Starting early and waiting later lets the caller prepare other things
    while Prism loads the spec (about 13 s for Xero's accounting spec on 2 cores).
    """

    def __init__(
        self,
        spec: Path | None = None,
        *,
        cache: Path | None = None,
        lock_path: Path = LOCK_PATH,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
        echo: Callable[[str], None] = print,
    ) -> None:
        resolved = spec if spec is not None else default_spec()
        if resolved is None or not Path(resolved).is_file():
            where = str(resolved) if resolved is not None else f"../shared/{SPEC_RELATIVE_PATH} beside the checkout"
            raise UpstreamSuiteError(
                f"the accounting spec for Prism is not available (looked for {where}); pass --spec PATH to "
                "xero_accounting.yaml, or --offline to run only the tests that need no mock"
            )
        self.spec = Path(resolved)
        self.cache = cache or default_cache_dir()
        self.lock_path = lock_path
        self.startup_timeout = startup_timeout
        self.echo = echo
        self.url = f"http://{PRISM_HOST}:{PRISM_PORT}"
        self.process: subprocess.Popen[bytes] | None = None
        self._lock_file: IO[str] | None = None
        self._log_path = self.cache / "prism.log"
        self.lock_wait_seconds = 0.0
        """How long :meth:`start` waited for another run's Prism to finish."""

    def start(self) -> None:
        """Take the lock (waiting for another run if need be) and launch Prism."""
        executable = install_prism(self.cache, self.echo)
        self._lock_file = open(self.lock_path, "a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.echo(f"waiting for another Prism run to release {self.lock_path}")
            waiting_since = time.monotonic()
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self.lock_wait_seconds = time.monotonic() - waiting_since
        try:
            if _port_answers(PRISM_HOST, PRISM_PORT):
                raise UpstreamSuiteError(
                    f"something already listens on {PRISM_HOST}:{PRISM_PORT} without holding {self.lock_path}; "
                    "stop it and run again"
                )
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self._log_path, "wb") as log:
                self.process = subprocess.Popen(
                    [str(executable), "mock", str(self.spec), "--host", PRISM_HOST, "--port", str(PRISM_PORT)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group, so stop() reaches node's children
                )
        except BaseException:
            self._release_lock()
            raise

    def wait_ready(self) -> float:
        """Block until Prism answers HTTP; returns the seconds waited. Raises if it dies or times out."""
        if self.process is None:
            raise UpstreamSuiteError("Prism was not started")
        started = time.monotonic()
        deadline = started + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise UpstreamSuiteError(f"Prism exited with status {self.process.returncode}:\n{self._log_tail()}")
            if self._answers_http():
                return time.monotonic() - started
            time.sleep(0.2)
        self.stop()
        raise UpstreamSuiteError(f"Prism did not answer on {self.url} within {self.startup_timeout:.0f} s")

    def _answers_http(self) -> bool:
        connection = http.client.HTTPConnection(PRISM_HOST, PRISM_PORT, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def _log_tail(self) -> str:
        try:
            return "\n".join(self._log_path.read_text(errors="replace").strip().splitlines()[-8:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop Prism's process group (by its own id) and release the lock. Harmless when repeated."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> PrismServer:
        self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
