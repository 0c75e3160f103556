"""The README's sandbox section lists exactly what the sandbox serves: the operation table's
served operations (ledgerflow_xero.surface.SERVED), rendered by served_block() below."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Dict, List

from ledgerflow_xero import surface

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- sandbox-serves:start (tests/sandbox/test_readme.py renders it from ledgerflow_xero.surface) -->"
END = "<!-- sandbox-serves:end -->"


def served_block() -> str:
    """The README's list of served operations, one line per resource, from the table."""
    by_resource: Dict[str, List[str]] = OrderedDict()
    for operation in surface.SERVED:
        resource = operation.path_template.strip("/").split("/")[0]
        by_resource.setdefault(resource, []).append(f"`{operation.sdk_method}`")
    header = f"| resource | xero-python `AccountingApi` methods ({len(surface.SERVED)} in all) |"
    lines = [START, "", header, "|---|---|"]
    lines += [f"| {resource} | {', '.join(methods)} |" for resource, methods in by_resource.items()]
    return "\n".join(lines + ["", END])


def test_the_readme_lists_exactly_what_the_sandbox_serves():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its sandbox-serves markers"
    block = text[text.index(START): text.index(END) + len(END)]
    assert block == served_block(), "README.md's served list is stale; replace it with:\n" + served_block()
