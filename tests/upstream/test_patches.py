"""patches/: a git format-patch series with messages that say why and which generator template
each change belongs in, applying with ``git am`` to the vetted sdist (issue 14, item 7). What the
patches do is tested on the built fork (test_fork.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

PATCHES = Path(__file__).resolve().parents[2] / "patches"
SERIES = sorted(PATCHES.glob("*.patch"))


def test_the_series_is_in_format_patch_form_with_messages() -> None:
    assert len(SERIES) >= 2
    for number, patch in enumerate(SERIES, 1):
        text = patch.read_text()
        assert text.startswith("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: ")
        assert re.search(rf"^Subject: \[PATCH {number}/{len(SERIES)}\] \S", text, re.MULTILINE), patch.name
        message = text.split("\n\n", 1)[1].split("\n---\n", 1)[0]
        assert len(message.split()) > 30, f"{patch.name}: say why"
        assert re.search(r"Generator template: \S+\.mustache|Not generated:", message), patch.name
        assert patch.name.startswith(f"{number:04d}-")


def test_the_readme_names_every_patch_and_its_template() -> None:
    readme = (PATCHES / "README.md").read_text()
    for patch in SERIES:
        row = next((line for line in readme.splitlines() if f"`{patch.name}`" in line), None)
        assert row is not None, f"patches/README.md does not list {patch.name}"
        assert re.search(r"`\w+\.mustache`|hand-written", row), row


def test_git_am_applies_the_series_to_the_vetted_sdist(real_release: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    tree = tmp_path / "xero-python"
    shutil.copytree(real_release, tree)
    env = {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CEILING_DIRECTORIES": str(tmp_path), "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }  # fmt: skip

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=tree, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "sdist")
    git("am", "-q", *[str(patch) for patch in SERIES])
    subjects: List[str] = git("log", "--format=%s", f"-{len(SERIES)}").splitlines()
    expected = [re.search(r"^Subject: \[PATCH \d+/\d+\] (.*(?:\n .*)*)", p.read_text(), re.M) for p in SERIES]
    assert subjects == [m.group(1).replace("\n ", " ") for m in reversed(expected) if m]
