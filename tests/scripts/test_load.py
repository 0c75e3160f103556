"""The load run of ``scripts/load.py`` at a size CI can afford (``LEDGERFLOW_LOAD_FULL=1``
runs the full 16 threads x 3 sources x 2,000 requests here too)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load.py"


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ledgerflow_load_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_threads_over_three_sources_with_refreshes_mid_run_never_cross_sources() -> None:
    load = load_script()
    small = {"threads": 4, "requests": 30, "refreshes": 2}
    size = load.FULL if os.environ.get("LEDGERFLOW_LOAD_FULL") == "1" else small
    figures = load.run_load(**size)
    threads, requests, refreshes = size["threads"], size["requests"], size["refreshes"]
    assert figures["errors"] == {}
    assert figures["wrong_source"] == 0
    assert figures["xero_hosts_seen"] == []
    assert figures["requests_answered_by_source"] == {source: threads * requests for source in load.SOURCES}
    # The sandbox saw each source's calls on that source's path, all answered 200 (+1: the final check).
    assert figures["sandbox_accounting_200_by_source"] == {s: threads * requests + 1 for s in load.SOURCES}
    assert not [key for key in figures["sandbox_requests"] if not (key.endswith(" 200") or " 302" in key)]
    for source in load.SOURCES:
        assert figures["refreshes"][source] == {
            "refreshed": refreshes, "saved": refreshes, "distinct_refresh_tokens": refreshes,
            "saved_are_the_returned": True,
        }
    assert figures["ok"] is True
