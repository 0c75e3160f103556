"""Every URL hard-coded in a xero-python release (any domain), found with ``ast`` and judged by the
routing table: Xero URLs are routed or refused on purpose; any other host must be listed in
:data:`KNOWN_HARMLESS_HOSTS` with the reason it is harmless.

A release that adds an API class on a new Xero host, or a path the table neither routes nor
refuses on purpose, would send a Ledgerflow user's calls (and token) somewhere the shim
cannot follow. :func:`inventory` reads the source without importing it and
:func:`judge` sorts each URL into routed, refused, documentation, or *unmapped* (a failure).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple
from urllib.parse import urlsplit

from ledgerflow_xero.errors import RoutingError, UnsupportedApiError
from ledgerflow_xero.routing import ROUTES, Router, is_xero_host

from .sources import per_file, python_texts

# Any source works: the verdict (routed, refused, unmapped) does not depend on it.
_JUDGE = Router(1004)
_URL = re.compile(r"https?://[^\s\"'<>()\[\]`]+")
# A bare host name in code ("api.xero.com"), not inside a URL or an e-mail address.
_BARE_HOST = re.compile(r"(?<![\w@./-])((?:[a-z0-9-]+\.)*xero\.com)(?![\w.-])", re.IGNORECASE)
_URL_PUNCTUATION = ".,;:"

KNOWN_HARMLESS_HOSTS: Dict[str, str] = {}
"""Non-Xero hosts a release's code may name, each with the reason it is harmless (reviewed by hand).
xero-python 2.0.0-15.2.0 name none in code (only in docstrings)."""

ROUTED = "routed"
HARMLESS = "known harmless"
REFUSED = "refused"
HOST_ONLY = "host only"  # an API class's bare-host base_url, judged through its resource paths
DOCUMENTATION = "documentation"
UNMAPPED = "unmapped"


@dataclass(frozen=True)
class UrlFinding:
    """One hard-coded Xero URL: where it is, what holds it, and what the routing table says."""

    file: str  # relative to the release's root, with / separators
    line: int
    url: str
    kind: str  # "base_url", "TokenApi.<attr>", "resource path", "constant", "host name", "docstring"
    owner: str  # the class (or module) it belongs to
    verdict: str  # ROUTED, REFUSED, HOST_ONLY, DOCUMENTATION or UNMAPPED
    detail: str  # the route or refused API's name, or why it is unmapped

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or self.url).lower()


def judge(url: str) -> Tuple[str, str]:
    """(verdict, detail) for one URL on a Xero host, by asking the routing table itself.

    The detail is the route's name when routed, the API's name when refused on purpose.
    A host that is not Xero's is unmapped unless listed in :data:`KNOWN_HARMLESS_HOSTS`.
    """
    host = (urlsplit(url).hostname or "").lower()
    if not is_xero_host(host):
        if host in KNOWN_HARMLESS_HOSTS:
            return HARMLESS, KNOWN_HARMLESS_HOSTS[host]
        return UNMAPPED, f"{host or url!r} is not a Xero host the routing table covers, nor listed as known harmless"
    try:
        routed = _JUDGE.route(url)
    except UnsupportedApiError as error:
        return REFUSED, error.api
    except RoutingError:
        return UNMAPPED, "no route and not refused on purpose in ledgerflow_xero.routing"
    names = [name for name in _route_names() if routed.lower().startswith(_JUDGE.url_for(name).lower())]
    return ROUTED, max(names, key=lambda name: len(_JUDGE.url_for(name)), default="?")


def _route_names() -> List[str]:
    return [route.name for route in ROUTES]


def inventory(release_root: Path, package: str = "xero_python") -> List[UrlFinding]:
    """Every Xero URL in the ``.py`` files under ``release_root/package``, judged.

    API classes (classes with a ``base_url`` string) whose base URL is a bare host such as
    ``https://api.xero.com`` are judged through the paths they pass to ``get_resource_url``,
    since the host alone says nothing about which API they reach.
    """
    findings: List[UrlFinding] = []
    for relative, text in python_texts(release_root, package):
        findings.extend(_scan_file(relative, text))
    return findings


@per_file
def _scan_file(file: str, tree: ast.Module) -> Tuple[UrlFinding, ...]:
    return tuple(_scan_module(tree, file))


def _scan_module(tree: ast.Module, file: str) -> Iterator[UrlFinding]:
    docstrings = _docstring_nodes(tree)
    owners = _owners(tree)
    claimed: Set[int] = set()
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for finding, node in _scan_class(cls, file):
            claimed.add(id(node))
            yield finding
    for node in ast.walk(tree):
        if id(node) in claimed or not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        is_doc = id(node) in docstrings
        owner = owners.get(id(node), "<module>")
        for url in _urls_in(node.value):
            verdict, detail = judge(url) if not is_doc else (DOCUMENTATION, "text, never sent")
            yield UrlFinding(file, node.lineno, url, "docstring" if is_doc else "constant", owner, verdict, detail)
        if not is_doc:
            for host in _bare_hosts_in(node.value):
                yield UrlFinding(
                    file,
                    node.lineno,
                    host,
                    "host name",
                    owner,
                    UNMAPPED,
                    "a bare Xero host name the table cannot judge",
                )


def _scan_class(cls: ast.ClassDef, file: str) -> Iterator[Tuple[UrlFinding, ast.AST]]:
    """Class-level URL attributes: an API class's ``base_url``, ``TokenApi``'s token URLs."""
    resource_paths = _resource_paths(cls)
    for statement in cls.body:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Constant):
            continue
        value = statement.value.value
        if not isinstance(value, str):
            continue
        for target in statement.targets:
            if not isinstance(target, ast.Name) or not _urls_in(value):
                continue
            if target.id == "base_url":
                yield from (
                    (f, statement.value) for f in _judge_base_url(file, cls.name, statement, value, resource_paths)
                )
            elif target.id.endswith("_url"):
                for url in _urls_in(value):
                    verdict, detail = judge(url)
                    finding = UrlFinding(
                        file, statement.lineno, url, f"{cls.name}.{target.id}", cls.name, verdict, detail
                    )
                    yield finding, statement.value


def _judge_base_url(
    file: str, owner: str, statement: ast.Assign, base_url: str, resource_paths: List[Tuple[int, str]]
) -> Iterator[UrlFinding]:
    verdict, detail = judge(base_url)
    if verdict != UNMAPPED or urlsplit(base_url).path not in ("", "/"):
        yield UrlFinding(file, statement.lineno, base_url, "base_url", owner, verdict, detail)
        return
    # A bare host: what matters is where each resource path lands.
    if not resource_paths:
        yield UrlFinding(
            file, statement.lineno, base_url, "base_url", owner, UNMAPPED, "a bare Xero host with no resource paths"
        )
        return
    yield UrlFinding(file, statement.lineno, base_url, "base_url", owner, HOST_ONLY, "judged by its resource paths")
    for line, resource_path in resource_paths:
        url = base_url.rstrip("/") + resource_path
        verdict, detail = judge(url)
        yield UrlFinding(file, line, url, "resource path", owner, verdict, detail)


def _resource_paths(cls: ast.ClassDef) -> List[Tuple[int, str]]:
    """Literal paths passed to ``self.get_resource_url(...)`` in this class's methods."""
    paths = []
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_resource_url"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            paths.append((node.lineno, node.args[0].value))
    return paths


def _urls_in(text: str) -> List[str]:
    urls = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_PUNCTUATION)
        try:
            if urlsplit(url).hostname:
                urls.append(url)
        except ValueError:  # not a URL a client could send; check_url_sources reports pieces
            continue
    return urls


def _bare_hosts_in(text: str) -> List[str]:
    without_urls = _URL.sub(" ", text)
    return [match.group(1) for match in _BARE_HOST.finditer(without_urls)]


def _docstring_nodes(tree: ast.Module) -> Set[int]:
    """String statements: docstrings, and the bare strings generated code leaves after them."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def _owners(tree: ast.Module) -> Dict[int, str]:
    owners: Dict[int, str] = {}
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for node in ast.walk(cls):
            owners[id(node)] = cls.name
    return owners


def summarise(findings: List[UrlFinding]) -> Dict[str, Dict[str, int]]:
    """Counts by verdict, then by host: ``{"routed": {"api.xero.com": 3}, ...}``."""
    summary: Dict[str, Dict[str, int]] = {}
    for finding in findings:
        by_host = summary.setdefault(finding.verdict, {})
        by_host[finding.host] = by_host.get(finding.host, 0) + 1
    return summary


def unmapped(findings: List[UrlFinding]) -> List[UrlFinding]:
    """The findings that fail the check: Xero URLs in code the routing table does not account for."""
    return [finding for finding in findings if finding.verdict == UNMAPPED]
