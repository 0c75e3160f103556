"""The documented deviations: upstream tests expected to fail with Ledgerflow routing active.

They live in one file, ``deviations.json`` beside this module: for each, the test id (as
pytest names it, relative to the extracted suite: ``tests/test_executor.py::test_vcr``),
the reason, and the xero-python releases it applies to (a PEP 440 specifier). The plugin
marks each one ``xfail(strict=True)``, so a deviation that stops failing fails the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..errors import UpstreamSuiteError

DEVIATIONS_FILE = Path(__file__).with_name("deviations.json")


@dataclass(frozen=True)
class Deviation:
    """One upstream test expected to fail under the shim, and why."""

    test: str
    reason: str
    releases: str

    def applies_to(self, release: str) -> bool:
        """True when this deviation covers xero-python ``release``."""
        return Version(release) in SpecifierSet(self.releases)


def load_deviations(path: Path | None = None) -> List[Deviation]:
    """Read and validate the deviations file (default: the one shipped with the package)."""
    path = Path(path) if path is not None else DEVIATIONS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UpstreamSuiteError(f"cannot read deviations file {str(path)!r}: {error}") from None
    entries = data.get("deviations") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UpstreamSuiteError(f"deviations file {str(path)!r} must hold an object with a 'deviations' list")
    deviations: List[Deviation] = []
    seen = set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or set(entry) != {"test", "reason", "releases"}:
            raise UpstreamSuiteError(
                f"deviation #{number} in {str(path)!r} must have exactly the keys test, reason, releases; got {entry!r}"
            )
        if not all(isinstance(entry[key], str) and entry[key].strip() for key in entry):
            raise UpstreamSuiteError(f"deviation #{number} in {str(path)!r} has an empty or non-text value: {entry!r}")
        if "::" not in entry["test"]:
            raise UpstreamSuiteError(
                f"deviation #{number}: test {entry['test']!r} is not a pytest id such as 'tests/test_x.py::test_y'"
            )
        try:
            SpecifierSet(entry["releases"])
        except InvalidSpecifier:
            raise UpstreamSuiteError(
                f"deviation #{number}: releases {entry['releases']!r} is not a version specifier such as '>=2.0.0'"
            ) from None
        key = entry["test"]
        if key in seen:
            raise UpstreamSuiteError(f"deviation #{number}: test {key!r} is listed twice")
        seen.add(key)
        deviations.append(Deviation(test=entry["test"], reason=entry["reason"], releases=entry["releases"]))
    return deviations


def deviations_for(release: str, deviations: Sequence[Deviation]) -> Dict[str, Deviation]:
    """The deviations that apply to xero-python ``release``, by test id."""
    return {deviation.test: deviation for deviation in deviations if deviation.applies_to(release)}
