"""``ledgerflow-xero check`` / ``ledgerflow_xero.check_paths`` on a realistic fixture app."""
# ruff: noqa: E501  (the expected output lines are as long as the command prints them)

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ledgerflow_xero
from ledgerflow_xero.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixture_app"

EXPECTED = """\
fixture_app/books/sync.py:15: AccountingApi.get_accounts — served
fixture_app/books/sync.py:16: AccountingApi.get_journals — served
fixture_app/books/sync.py:17: AccountingApi.get_invoices — served
fixture_app/books/sync.py:18: AccountingApi.get_invoice_history — not served by Ledgerflow: sub-resource not served
fixture_app/books/sync.py:23: AccountingApi.get_items — not served by Ledgerflow: resource not served
fixture_app/books/sync.py:30: AccountingApi.get_invoice_attachments — not served by Ledgerflow: sub-resource not served
fixture_app/books/sync.py:30: AccountingApi.update_invoice — not served by Ledgerflow: read-only
fixture_app/books/views.py:16: AccountingApi.get_invoices — served
fixture_app/books/views.py:22: AccountingApi.get_invoice_as_pdf — served
fixture_app/books/views.py:28: AccountingApi.create_contacts — not served by Ledgerflow: read-only
fixture_app/books/views.py:30: AccountingApi.create_invoices — not served by Ledgerflow: read-only
fixture_app/books/views.py:39: AccountingApi.get_report_balance_sheet — served
fixture_app/books/views.py:39: AccountingApi.get_report_budget_summary — not served by Ledgerflow: resource not served
fixture_app/books/views.py:39: AccountingApi.get_report_profit_and_loss — served
fixture_app/books/views.py:45: AccountingApi.<dynamic> — unknown: the method name is chosen at run time
fixture_app/books/views.py:49: AccountingApi.get_invoices — served
fixture_app/books/views.py:59: PayrollUkApi.get_employees — unsupported API: Ledgerflow serves accounting and identity only
fixture_app/books/xero_client.py:33: IdentityApi.get_connections — served
18 xero-python call(s) in 5 file(s): 9 served, 7 not served, 1 unsupported API, 1 unknown
"""


@pytest.fixture
def in_tests_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE.parent)


def test_check_prints_one_line_per_call_and_a_summary(in_tests_dir: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "fixture_app"]) == 1
    assert capsys.readouterr().out == EXPECTED


def test_json_output_parses_and_carries_the_operation(in_tests_dir: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--json", "fixture_app"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert found["summary"] == {"files": 5, "calls": 18, "served": 9, "not-served": 7, "unsupported-api": 1,
                                "unknown": 1}
    create = next(call for call in found["calls"] if call["method"] == "create_invoices")
    assert (create["status"], create["reason"], create["http_method"], create["path_template"]) == (
        "not-served", "write", "PUT", "/Invoices")
    pdf = next(call for call in found["calls"] if call["method"] == "get_invoice_as_pdf")
    assert (pdf["status"], pdf["path_template"]) == ("served", "/Invoices/{InvoiceID}")
    assert found["exit_code"] == 1 and found["errors"] == []


def test_exit_zero_when_everything_found_is_served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.py").write_text(
        "from xero_python.accounting import AccountingApi\n"
        "def run(client, tenant):\n"
        "    api = AccountingApi(client)\n"
        "    return api.get_report_trial_balance(tenant), api.get_organisations(tenant)\n"
    )
    assert main(["check", str(tmp_path)]) == 0
    assert "2 xero-python call(s) in 1 file(s): 2 served" in capsys.readouterr().out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["check"])
    assert exited.value.code == 2
    (tmp_path / "notes.txt").write_text("AccountingApi(client).create_invoices()")
    assert main(["check", str(tmp_path)]) == 2  # a folder without Python files: nothing was checked
    assert "no Python files" in capsys.readouterr().err


def test_an_unparsable_file_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    report = ledgerflow_xero.check_paths([tmp_path])
    assert report.exit_code == 1 and [file for file, _ in report.errors] == [str(tmp_path / "broken.py")]


def test_check_never_imports_the_users_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "app.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "import xero_python.accounting\n"
        "xero_python.accounting.AccountingApi(None).delete_account('t', 'a')\n"
    )
    report = ledgerflow_xero.check_paths([tmp_path / "app.py"])
    assert not marker.exists()
    assert [(c.method, c.status, c.reason) for c in report.calls] == [("delete_account", "not-served", "write")]


def test_the_command_starts_without_importing_xero_python_for_the_check() -> None:
    code = ("import sys, ledgerflow_xero.check as c; "
            "print(sorted(m for m in sys.modules if m.startswith('xero_python.accounting')))")
    # the package itself imports xero-python's client; the check must not pull in the accounting API
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
