"""The two commands as a user runs them: ``ledgerflow-xero demo`` and ``ledgerflow-xero sandbox``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List

import pytest
import urllib3

from ledgerflow_xero.cli import main
from ledgerflow_xero.sandbox.books.profiles import PROFILES
from ledgerflow_xero.sandbox.cli import _clients_from_file

CLI = [sys.executable, "-m", "ledgerflow_xero"]
ROOT = Path(__file__).resolve().parents[2]


def _run(args: List[str], **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(CLI + args, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, **kwargs)


def test_demo_exits_0_and_names_the_three_organisations():
    started = time.perf_counter()
    finished = _run(["demo"])
    wall = time.perf_counter() - started
    assert finished.returncode == 0, finished.stdout + finished.stderr
    for profile in PROFILES.values():
        assert profile.name in finished.stdout
    table = finished.stdout.split("source  system", 1)[1]
    assert table.count("yes") == 6 and "NO" not in table
    assert "all steps passed" in finished.stdout
    print(f"demo wall time: {wall:.2f} s")  # shown with -s; the closing note asks for it


def test_demo_exits_1_when_a_step_fails():
    # Sage Desktop signs in with a scope the sandbox accepts but without offline_access: no refresh token,
    # so the forced refresh must fail and the table must say so.
    finished = _run(["demo", "--source", "1001", "--scope", "openid accounting.transactions"])
    assert finished.returncode == 1
    assert "SOME STEPS FAILED" in finished.stdout
    assert "NO" in finished.stdout.split("source  system", 1)[1]


def test_demo_against_a_given_host_reads_the_pasted_redirect(sandbox, http):
    process = subprocess.Popen(
        CLI + ["demo", "--host", sandbox.base_url, "--client-id", sandbox.client_id, "--client-secret",
               sandbox.client_secret, "--source", "quickbooks"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith(sandbox.base_url + "/1004/identity/connect/authorize?"):
                consent = http.request("GET", line.strip(), redirect=False)
                process.stdin.write(consent.headers["Location"] + "\n")
                process.stdin.flush()
                break
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, "".join(lines) + out + err
    assert "Open this URL in a browser" in "".join(lines)
    assert PROFILES[1004].name in out and "all steps passed" in out


def test_sandbox_command_serves_until_stopped_and_prints_its_clients():
    process = subprocess.Popen(
        CLI + ["sandbox", "--port", "0", "--seed", "3", "--scale", "2", "--deny-consent",
               "--client", "my-app:s3cret:http://localhost:8080/cb"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    banner: List[str] = []
    try:
        reader = threading.Thread(target=lambda: banner.extend(iter(process.stdout.readline, "")), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while not any("Ctrl+C" in line for line in banner) and time.monotonic() < deadline:
            time.sleep(0.05)
        text = "".join(banner)
        base_url = text.split("Ledgerflow sandbox on ", 1)[1].split()[0]
        answer = urllib3.PoolManager().request("GET", base_url + "/1009/.well-known/openid-configuration")
        assert answer.status == 200 and json.loads(answer.data)["issuer"] == base_url + "/1009"
    finally:
        process.terminate()
        process.wait(timeout=10)
        stderr = process.stderr.read()
    assert "client my-app, redirect URIs http://localhost:8080/cb" in text
    assert "(seed 3, scale 2)" in text and "every sign-in is refused (access_denied)" in text
    assert "s3cret" not in text and "s3cret" not in stderr  # only the demo client's secret is printed
    assert "GET /1009/.well-known/openid-configuration 200" in stderr


@pytest.mark.parametrize(
    "spec", ["no-colons", "id-only:s3cr3tvalue", ":s3cr3tvalue:http://localhost/cb", "app:s3cr3tvalue:not-a-url",
             "app:s3cr3t:value:http://localhost/cb"]
)
def test_sandbox_command_refuses_a_bad_client_spec_without_echoing_the_secret(spec, capsys):
    assert main(["sandbox", "--port", "0", "--client", spec]) == 2
    stderr = capsys.readouterr().err
    assert "ledgerflow-xero: error:" in stderr
    assert "s3cr3t" not in stderr


def test_sandbox_command_refuses_a_public_interface(capsys):
    assert main(["sandbox", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_sandbox_command_reads_a_clients_file(tmp_path, capsys):
    clients = tmp_path / "clients.txt"
    clients.write_text("# local apps\nfirst:s3cr3t1:http://localhost:8080/cb\n\nsecond::http://localhost:3000/cb\n")
    parsed = _clients_from_file(str(clients))
    assert [(c.client_id, c.is_public, c.redirect_uris) for c in parsed] == [
        ("first", False, ("http://localhost:8080/cb",)), ("second", True, ("http://localhost:3000/cb",))]
    missing = tmp_path / "absent.txt"
    assert main(["sandbox", "--port", "0", "--clients-file", str(missing)]) == 2
    assert "absent.txt" in capsys.readouterr().err
