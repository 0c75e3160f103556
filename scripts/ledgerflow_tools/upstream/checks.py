"""Checks on an unpacked xero-python release that need no network: the choke point the shim
wraps, and whether this project's patches still apply.

Each check returns a :class:`CheckResult`; none raises for a failing release.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence

from .inventory import DOCUMENTATION, UNMAPPED, UrlFinding

# ledgerflow_xero.client and .patching call ApiClient.request(method, url, *rest) and rely on
# these parameter names when they are passed by keyword.
EXPECTED_REQUEST_PARAMETERS = (
    "self",
    "method",
    "url",
    "query_params",
    "headers",
    "post_params",
    "body",
    "_preload_content",
    "_request_timeout",
)
API_CLIENT_FILE = "xero_python/api_client/__init__.py"
TOKEN_API_FILE = "xero_python/api_client/oauth2.py"
TOKEN_API_URL_ATTRIBUTES = ("refresh_token_url", "client_credentials_token_url", "revoke_token_url")


@dataclass
class CheckResult:
    """One line of the report: a check's name, whether it passed, and what it found."""

    name: str
    passed: bool
    summary: str
    details: List[str] = field(default_factory=list)
    data: Dict[str, Any] = field(default_factory=dict)
    """Anything a later step needs (the compatibility suite's COMPATIBILITY.md cells: ``row``)."""

    @property
    def mark(self) -> str:
        return "PASS" if self.passed else "FAIL"


def check_inventory(findings: Sequence[UrlFinding]) -> CheckResult:
    """Fail on every URL in code (any host) that the routing table neither routes nor refuses and
    that is not listed as known harmless."""
    bad = [finding for finding in findings if finding.verdict == UNMAPPED]
    code = [finding for finding in findings if finding.verdict != DOCUMENTATION]
    docs = [finding for finding in findings if finding.verdict == DOCUMENTATION]
    verdicts = Counter(finding.verdict for finding in code)
    summary = (
        f"{len(code)} URLs in code on {_hosts(code)} ({', '.join(f'{v} {n}' for v, n in verdicts.items())}); "
        f"{len(docs)} more in docstrings on {_hosts(docs)}"
    )
    if bad:
        summary += f"; {len(bad)} neither routed, refused on purpose nor known harmless"
    details = [f"{f.where}: {f.kind} {f.url} ({f.owner}): {f.detail}" for f in bad]
    return CheckResult("URL inventory", not bad, summary, details)


def _hosts(findings: Sequence[UrlFinding]) -> str:
    return ", ".join(sorted({finding.host for finding in findings})) or "no host"


def check_choke_point(release_root: Path) -> CheckResult:
    """``ApiClient.request`` exists with the parameters the shim relies on, and ``TokenApi``
    still holds its three token URLs as class attributes (which the shim routes)."""
    problems: List[str] = []
    request = _find_method(release_root / API_CLIENT_FILE, "ApiClient", "request")
    if request is None:
        problems.append(f"{API_CLIENT_FILE}: ApiClient.request not found")
    else:
        parameters = tuple(arg.arg for arg in request.args.posonlyargs + request.args.args)
        if parameters != EXPECTED_REQUEST_PARAMETERS or request.args.vararg or request.args.kwonlyargs:
            found = _signature(request)
            problems.append(
                f"{API_CLIENT_FILE}:{request.lineno}: ApiClient.request{found} changed; "
                f"expected ({', '.join(EXPECTED_REQUEST_PARAMETERS)})"
            )
    token_api = _find_class(release_root / TOKEN_API_FILE, "TokenApi")
    if token_api is None:
        problems.append(f"{TOKEN_API_FILE}: class TokenApi not found")
    else:
        attributes = _class_string_attributes(token_api)
        for name in TOKEN_API_URL_ATTRIBUTES:
            if name not in attributes:
                problems.append(f"{TOKEN_API_FILE}:{token_api.lineno}: TokenApi.{name} is gone")
    if problems:
        return CheckResult("choke point", False, "; ".join(problems), problems)
    return CheckResult(
        "choke point",
        True,
        f"ApiClient.request{_signature(request)} at {API_CLIENT_FILE}:{request.lineno}; "  # type: ignore[arg-type]
        f"TokenApi.{', '.join(TOKEN_API_URL_ATTRIBUTES)} present",
    )


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError):
        return None


def _find_class(path: Path, name: str) -> ast.ClassDef | None:
    tree = _parse(path)
    if tree is None:
        return None
    return next((node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name), None)


def _find_method(path: Path, class_name: str, method: str) -> ast.FunctionDef | None:
    cls = _find_class(path, class_name)
    if cls is None:
        return None
    return next((node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == method), None)


def _class_string_attributes(cls: ast.ClassDef) -> List[str]:
    return [
        target.id
        for statement in cls.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        for target in statement.targets
        if isinstance(target, ast.Name) and isinstance(statement.value.value, str)
    ]


def _signature(function: ast.FunctionDef) -> str:
    names = [arg.arg for arg in function.args.posonlyargs + function.args.args]
    if function.args.vararg:
        names.append("*" + function.args.vararg.arg)
    names += [arg.arg for arg in function.args.kwonlyargs]
    if function.args.kwarg:
        names.append("**" + function.args.kwarg.arg)
    return f"({', '.join(names)})"


def patch_files(patches_dir: Path) -> List[Path]:
    """The patches in ``patches_dir``, in the order they apply (by file name)."""
    return sorted(patches_dir.glob("*.patch"))


def apply_patches(release_root: Path, patches: Sequence[Path], *, dry_run: bool = False) -> List[str]:
    """Apply ``patches`` in order to the tree at ``release_root``; return one problem per patch
    that does not apply cleanly (empty when all do). With ``dry_run`` the tree is untouched:
    the series is applied to a scratch copy."""
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="ledgerflow-patch-check-") as scratch:
            copy = Path(scratch) / "release"
            shutil.copytree(release_root, copy, symlinks=True)
            return apply_patches(copy, patches)
    problems = []
    for patch in patches:
        problem = _apply_one(release_root, patch)
        if problem:
            problems.append(f"{patch.name}: {problem}")
            break  # later patches build on this one
    return problems


def _apply_one(root: Path, patch: Path) -> str | None:
    if shutil.which("git"):
        # GIT_CEILING_DIRECTORIES keeps git from treating an enclosing repository as the target.
        env = {"GIT_CEILING_DIRECTORIES": str(root.parent), "PATH": _path()}
        command = ["git", "apply", "--whitespace=nowarn", "-p1", str(patch.resolve())]
        check = subprocess.run(
            [*command[:2], "--check", *command[2:]], cwd=root, env=env, capture_output=True, text=True
        )
        if check.returncode != 0:
            return (check.stderr or check.stdout).strip().replace("\n", "; ")
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    else:
        command = ["patch", "-p1", "--forward", "--batch", "-i", str(patch.resolve())]
        check = subprocess.run([*command, "--dry-run"], cwd=root, capture_output=True, text=True)
        if check.returncode != 0:
            return (check.stdout or check.stderr).strip().replace("\n", "; ")
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def _path() -> str:
    return os.environ.get("PATH", "/usr/bin:/bin")


def check_patches(release_root: Path, patches_dir: Path) -> CheckResult:
    """Every patch in ``patches_dir`` applies, in order, to a scratch copy of the release."""
    patches = patch_files(patches_dir)
    if not patches:
        return CheckResult("patches apply", False, f"no *.patch files in {patches_dir}")
    problems = apply_patches(release_root, patches, dry_run=True)
    if problems:
        return CheckResult("patches apply", False, problems[0], problems)
    return CheckResult(
        "patches apply", True, f"{len(patches)} patches apply in order: {', '.join(p.name for p in patches)}"
    )
