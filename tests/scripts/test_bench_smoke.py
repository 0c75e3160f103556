"""A smoke run of ``scripts/bench.py --quick``: the benchmark still runs end to end and
measures what it says. Its timings are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ledgerflow_xero.routing import ROUTES, UNSUPPORTED_APIS

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


def test_the_quick_benchmark_measures_every_variant_against_the_loopback_server() -> None:
    run = subprocess.run([sys.executable, str(BENCH), "--quick", "--json"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    for key in ("per_request", "per_request_no_socket"):
        for clock in ("wall", "cpu"):
            variants = {"ledgerflow ApiClient", "plain ApiClient under patch()", "plain xero-python again (A/A)"}
            assert set(figures[key][f"{clock}_us_per_request"]) == variants | {"plain xero-python"}
            assert set(figures[key][f"{clock}_overhead_percent"]) == variants
    assert set(figures["shim_cost"]) == {"ledgerflow ApiClient", "plain ApiClient under patch()"}
    rows = set(figures["route"]["ns_per_call"])
    assert {route.name for route in ROUTES} <= rows
    assert {f"{api.name} (refused)" for api in UNSUPPORTED_APIS} <= rows
    assert set(figures["import"]["ms"]) == {"xero_python.api_client", "ledgerflow_xero, after it"}
    assert figures["throughput"]["sources"] == [1001, 1004, 1009]
    # Every request, plain or routed, reached the loopback server on a source's accounting path.
    paths = {path for path in figures["server_paths"] if path != "/_stats"}
    assert paths == {f"/{source}/api.xro/2.0/Organisation" for source in (1001, 1004, 1009)}
    per_request = figures["per_request"]
    served = sum(figures["server_paths"].values())
    assert served >= 3 * per_request["rounds"] * per_request["requests_per_round"]
