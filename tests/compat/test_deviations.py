"""The deviations file: short, explained, valid, and applied by release range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledgerflow_tools.compat.deviations import DEVIATIONS_FILE, Deviation, deviations_for, load_deviations
from ledgerflow_tools.compat.runner import NEWEST_TESTED
from ledgerflow_tools.errors import UpstreamSuiteError


def test_packaged_file_is_short_and_every_entry_explained() -> None:
    deviations = load_deviations()
    applying = deviations_for(NEWEST_TESTED, deviations)
    assert 0 < len(applying) <= 3, "issue 5 allows at most 3 deviations for the newest release"
    for deviation in deviations:
        assert deviation.test.startswith("tests/") and "::" in deviation.test
        assert len(deviation.reason) > 40, f"{deviation.test}: say why it is expected to fail"


def test_the_file_lives_beside_the_plugin_in_the_tooling_not_the_package() -> None:
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    assert DEVIATIONS_FILE == scripts / "ledgerflow_tools" / "compat" / "deviations.json"
    assert DEVIATIONS_FILE.is_file()


def test_release_range_selects_entries() -> None:
    deviations = [
        Deviation("tests/a.py::test_a", "old releases only", "<3"),
        Deviation("tests/b.py::test_b", "every release", ">=0"),
        Deviation("tests/c.py::test_c", "one band", ">=5,<7"),
    ]
    assert set(deviations_for("2.0.0", deviations)) == {"tests/a.py::test_a", "tests/b.py::test_b"}
    assert set(deviations_for("6.3.0", deviations)) == {"tests/b.py::test_b", "tests/c.py::test_c"}
    assert set(deviations_for("15.2.0", deviations)) == {"tests/b.py::test_b"}


def write(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "deviations.json"
    path.write_text(json.dumps({"deviations": entries}))
    return path


@pytest.mark.parametrize(
    ("entries", "complaint"),
    [
        ([{"test": "tests/a.py::t", "reason": "r"}], "exactly the keys"),
        ([{"test": "tests/a.py::t", "reason": "", "releases": ">=1"}], "empty or non-text"),
        ([{"test": "tests/a.py", "reason": "r", "releases": ">=1"}], "is not a pytest id"),
        ([{"test": "tests/a.py::t", "reason": "r", "releases": "newest"}], "'newest' is not a version specifier"),
        ([{"test": "tests/a.py::t", "reason": "r", "releases": ">=1"}] * 2, "listed twice"),
        ("not a list", "must hold an object with a 'deviations' list"),
    ],
)
def test_bad_files_raise_a_typed_error_naming_the_problem(tmp_path: Path, entries: object, complaint: str) -> None:
    with pytest.raises(UpstreamSuiteError, match=complaint):
        load_deviations(write(tmp_path, entries))


def test_unreadable_file_names_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(UpstreamSuiteError, match="nope.json"):
        load_deviations(missing)
