"""The user-facing command works where POSIX-only modules are missing (Windows): each
subcommand loads only its own module, and none of them needs ``fcntl``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ledgerflow_xero import __version__

# Run the command in a fresh interpreter in which ``import fcntl`` fails, as it does on Windows.
WITHOUT_FCNTL = (
    "import sys; sys.modules['fcntl'] = None; "
    "from ledgerflow_xero.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL, *arguments], capture_output=True, text=True, timeout=120
    )


def test_fcntl_really_is_unavailable_in_the_child():
    probe = subprocess.run([sys.executable, "-c", "import sys; sys.modules['fcntl'] = None; import fcntl"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr and "fcntl" in probe.stderr


def test_version_works_without_fcntl():
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ledgerflow-xero {__version__}"


def test_route_works_without_fcntl():
    result = run("route", "--source", "1009", "https://api.xero.com/Connections")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://xero.api.ledgerscope.com/1009/connections"


def test_demo_runs_without_fcntl():
    result = run("demo", "--source", "1004")
    assert result.returncode == 0, result.stderr
    assert "1004" in result.stdout


@pytest.mark.parametrize("command", ["sandbox", "authorize-url", "demo", "route", "check"])
def test_every_subcommand_loads_without_fcntl(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: ledgerflow-xero {command}")


def test_the_parser_lists_every_subcommand_without_loading_them():
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from ledgerflow_xero.cli import build_parser; build_parser().print_help(); "
         "print(sorted(m for m in sys.modules if m.startswith('ledgerflow_xero.')))"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for command in ("route", "authorize-url", "sandbox", "demo", "check"):
        assert command in result.stdout
    loaded = result.stdout.strip().splitlines()[-1]
    assert "ledgerflow_xero.sandbox.cli" not in loaded and "ledgerflow_xero.demo" not in loaded


def test_check_works_without_fcntl(tmp_path):
    (tmp_path / "app.py").write_text(
        "from xero_python.accounting import AccountingApi\n"
        "api = AccountingApi(client)\n"
        "api.get_invoices(tenant)\n"
    )
    result = run("check", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "AccountingApi.get_invoices — served" in result.stdout
