"""The dynamic probe: a release's real behaviour with this package, observed at the socket level.

The static checks read code shape; a release can fool them. The probe installs the release
(the very sdist the other checks read) into a throwaway environment with this checkout, and runs
:mod:`ledgerflow_tools.upstream.probe_child` there: routed clients (``ledgerflow_xero.ApiClient``
with its own ``Configuration``, and a plain client under ``ledgerflow_xero.patch()``) call every
method of every API class the release has, refresh, client credentials, revocation, connections
and a redirect to Xero, against a loopback Ledgerflow stand-in, with every lookup and connection
the process attempts recorded (and refused unless it is the stand-in).

Verdict: PASS only if every request reached the stand-in under ``/{source}/``, nothing attempted
any other host, the token and connection calls all reached the stand-in, and what did not go out was
refused by name before I/O (an API Ledgerflow does not serve). A call that only the guard stopped
(a ``RoutingError`` that is not a refusal by name) is a FAIL too: routing missed its URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ..compat.paths import cache_dir as default_cache_dir
from ..compat.paths import checkout_root, sha256_of
from ..compat.runner import _exclusive
from .checks import CheckResult

NAME = "dynamic probe"
CHILD = Path(__file__).with_name("probe_child.py")
# xero-python's own requirements (urllib3, certifi, python-dateutil), this package's (wrapt,
# packaging), setuptools/wheel to build a release without a download, and the alternative
# transports a release might switch to, so such a release runs and is caught at the socket.
BASE_REQUIREMENTS = (
    "python-dateutil>=2.7", "urllib3", "certifi", "setuptools>=75.1.0", "wheel", "wrapt>=1.14", "packaging>=21",
    "requests", "httpx",
)  # fmt: skip
REFUSAL_ERRORS = ("UnsupportedApiError", "UnsupportedOperationError", "UnservedOperationError")
"""Errors that mean "refused by name before I/O": Ledgerflow does not serve that API or operation."""
TOKEN_STEPS = ("refresh token", "client credentials", "revoke token", "connections")
STAMP = ".ledgerflow-probe-stamp.json"


def _run(command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, **kwargs)


class ProbeEnvironment:
    """One cached virtual environment (per Python, per checkout) that every probed release shares;
    each release is installed with ``pip install --target`` into its own folder keyed by SHA-256."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = (cache or default_cache_dir()) / "probe"
        tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
        # One environment per checkout: two checkouts probing at once (CI beside a developer's tree)
        # must not rebuild one shared environment under each other.
        root = checkout_root()
        checkout = hashlib.sha256(str(root).encode()).hexdigest()[:12] if root else "none"
        self.path = self.cache / f"venv-{tag}-{checkout}"
        self.python = self.path / "bin" / "python"

    def _pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(self.python), "-m", "pip", "--disable-pip-version-check", "-q", *args])

    def prepare(self) -> None:
        """Create (once) the environment with the base requirements and this checkout, editable."""
        root = checkout_root()
        if root is None:
            raise RuntimeError("the probe runs from a ledgerflow-xero checkout (scripts/ belongs to one)")
        pyproject = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()
        key = json.dumps([BASE_REQUIREMENTS, str(root), pyproject])
        stamp = self.path / STAMP
        if stamp.is_file() and stamp.read_text() == key and self.python.exists():
            return
        shutil.rmtree(self.path, ignore_errors=True)
        created = _run([sys.executable, "-m", "venv", str(self.path)])
        if created.returncode != 0:
            raise RuntimeError(f"cannot create the probe environment: {created.stderr.strip()[-500:]}")
        installed = self._pip("install", *BASE_REQUIREMENTS)
        if installed.returncode != 0:
            shutil.rmtree(self.path, ignore_errors=True)  # start clean next time
            raise RuntimeError(f"pip cannot install the probe's requirements: {installed.stderr.strip()[-500:]}")
        editable = self._pip("install", "--no-deps", "--no-build-isolation", "-e", str(root))
        if editable.returncode != 0:
            shutil.rmtree(self.path, ignore_errors=True)
            raise RuntimeError(f"pip cannot install this checkout: {editable.stderr.strip()[-500:]}")
        stamp.write_text(key)

    def install_release(self, sdist: Path, sha256: str) -> Path:
        """The folder holding the release installed from ``sdist`` (built once per SHA-256)."""
        target = self.cache / "releases" / sha256[:32]
        if (target / ".complete").is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        done = self._pip(
            "install", "--no-deps", "--no-build-isolation", "--no-compile", "--target", str(target), str(sdist)
        )
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            raise RuntimeError(f"pip cannot install {sdist.name}: {done.stderr.strip()[-800:]}")
        (target / ".complete").write_text(sha256)
        return target


@dataclass
class ProbeReport:
    """What the probe saw, judged."""

    passed: bool
    summary: str
    problems: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)
    events_path: Path | None = None

    def to_check(self) -> CheckResult:
        return CheckResult(NAME, self.passed, self.summary, self.problems[:40])


def judge(outcome: Dict[str, Any], source: int) -> ProbeReport:
    """The verdict on one probe run's recorded outcome (see the module docstring)."""
    problems: List[str] = []
    if outcome.get("crash"):
        problems.append(f"the probe could not run: {outcome['crash'].strip().splitlines()[-1]}")
    problems += [f"module does not import: {failure}" for failure in outcome.get("import_failures", [])]
    prefix = f"/{source}/"
    by_step: Dict[str, List[Dict[str, Any]]] = {}
    for request in outcome.get("requests", []):
        by_step.setdefault(request["step"], []).append(request)
    escapes: Dict[str, List[Dict[str, Any]]] = {}
    for event in outcome.get("socket_events", []):
        if not event["allowed"]:
            escapes.setdefault(event["step"], []).append(event)
    counts = {"sent": 0, "refused": 0, "not exercised": 0, "escaped": 0, "blocked": 0, "wrong path": 0}
    steps = outcome.get("steps", [])
    for step in steps:
        name = step["step"]
        sent = by_step.get(name, [])
        escaped = escapes.pop(name, [])
        if escaped:
            counts["escaped"] += 1
            targets = sorted({f"{e['host']}:{e['port']}" if e["port"] else e["host"] for e in escaped})
            how = escaped[0]["kind"]
            problems.append(f"{name}: tried to reach {', '.join(targets)} ({how}) instead of the stand-in")
            continue
        wrong = [r for r in sent if not r["path"].startswith(prefix)]
        if wrong:
            counts["wrong path"] += 1
            problems.append(f"{name}: reached the stand-in on {wrong[0]['path']!r}, outside {prefix}")
            continue
        if "redirect to" in name:
            counts["sent" if sent else "not exercised"] += 1
            continue  # a refused redirect is the point; an escape was caught above
        if sent:
            counts["sent"] += 1
            continue
        mro = step.get("error_mro") or []
        if any(error in mro for error in REFUSAL_ERRORS):
            counts["refused"] += 1
        elif "RoutingError" in mro:
            counts["blocked"] += 1
            problems.append(f"{name}: routing missed its URL, only the guard stopped it: {step['error']}")
        else:
            counts["not exercised"] += 1
            if name.split(": ", 1)[-1] in TOKEN_STEPS:
                problems.append(f"{name}: never reached the stand-in ({step['error_type']}: {step['error']})")
    for name, events in escapes.items():  # attempts outside any step (import time, between steps)
        targets = sorted({e["host"] for e in events})
        problems.append(f"{name}: tried to reach {', '.join(targets)}")
    if not problems and counts["sent"] == 0:
        problems.append("no request reached the stand-in: the probe proved nothing")
    classes = outcome.get("api_classes", [])
    summary = (
        f"{len(steps)} calls over {len(classes)} API classes, token calls and connections, two routed clients: "
        f"{counts['sent']} reached the stand-in under {prefix}, {counts['refused']} refused by name before I/O, "
        f"{counts['not exercised']} rejected their dummy arguments; {counts['escaped']} tried another host, "
        f"{counts['blocked']} stopped only by the guard, {counts['wrong path']} on a wrong path"
    )
    if problems:
        summary = f"{problems[0]} ({len(problems)} problems); " + summary
    return ProbeReport(not problems, summary, problems, counts)


def run_probe(
    sdist: Path,
    *,
    source: int = 1004,
    cache: Path | None = None,
    sha256: str | None = None,
    timeout: float = 600,
) -> ProbeReport:
    """Install ``sdist`` into the probe environment and run the probe on it."""
    environment = ProbeEnvironment(cache)
    sha256 = sha256 or sha256_of(sdist)
    try:
        with _exclusive(environment.cache / "setup.lock"):  # the release folders are shared by checkouts
            environment.prepare()
            target = environment.install_release(sdist, sha256)
    except RuntimeError as error:
        return ProbeReport(False, f"could not set up: {error}", [str(error)])
    logs = environment.cache / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    events = logs / f"socket-events-{sha256[:16]}-{source}.jsonl"
    with tempfile.TemporaryDirectory(prefix="ledgerflow-probe-") as scratch:
        out = Path(scratch) / "outcome.json"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("LEDGERFLOW_", "PYTHON"))}
        env["PYTHONPATH"] = str(target)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        command = [str(environment.python), str(CHILD), "--source", str(source)]
        command += ["--events", str(events), "--out", str(out)]
        try:
            done = _run(command, cwd=scratch, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return ProbeReport(False, f"the probe did not finish in {timeout:.0f} s", ["timeout"], events_path=events)
        if not out.is_file():
            detail = (done.stderr or done.stdout).strip()[-800:]
            return ProbeReport(False, f"the probe exited {done.returncode} without a result: {detail}", [detail])
        outcome = json.loads(out.read_text())
    report = judge(outcome, source)
    report.events_path = events
    return report
