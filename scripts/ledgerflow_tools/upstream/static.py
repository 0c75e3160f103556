"""Static checks on an unpacked xero-python release that say *why* it is safe to route, or not.

- :func:`check_call_path`: an AST call-graph walk from ``ApiClient.call_api`` and from every
  ``TokenApi`` method to the choke point ``ApiClient.request`` (which the shim wraps). Nothing on
  the way may touch the transport (``rest_client``, ``pool_manager``, an HTTP library) itself.
- :func:`check_transport`: ``rest.py`` sends through the urllib3 ``PoolManager``/``ProxyManager``
  the guards wrap, and no module of the release imports another HTTP library or ``socket``.
- :func:`check_url_sources`: every URL in the release's code is a literal the inventory can judge:
  none assembled by concatenation, ``%``/``format``/f-string, and nothing read from the environment.

The inventory (:mod:`.inventory`) then judges every literal URL's host, whatever its domain.
Each returns a :class:`~.checks.CheckResult`; none raises for a failing release.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple
from urllib.parse import urlsplit

from .checks import API_CLIENT_FILE, TOKEN_API_FILE, CheckResult
from .sources import parse, per_file, python_texts

REST_FILE = "xero_python/rest.py"
CHOKE_POINT = "request"
# Touching any of these from a function on the way to the choke point sends around it.
TRANSPORT_ATTRIBUTES = frozenset({"rest_client", "pool_manager", "urlopen", "RESTClientObject"})
HTTP_LIBRARIES = frozenset(
    {"requests", "httpx", "aiohttp", "http.client", "httplib", "urllib.request", "urllib2", "pycurl", "socket",
     "httplib2", "tornado.httpclient", "treq"}
)  # fmt: skip
KNOWN_HARMLESS_IMPORTS: Dict[Tuple[str, str], str] = {
    (
        "xero_python/api_client/configuration.py",
        "http.client",
    ): "sets HTTPConnection.debuglevel for debug logs; sends nothing",
}
"""(file, module) pairs reviewed by hand: an HTTP library imported for something other than sending."""
ALLOWED_POOLS = frozenset({"PoolManager", "ProxyManager"})
_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,63}$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$", re.IGNORECASE)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>()\[\]`]*", re.IGNORECASE)


@dataclass(frozen=True)
class Function:
    """One function or method found in the files the walk reads."""

    owner: str  # class name, or "<module>"
    name: str
    file: str
    node: ast.FunctionDef


def _functions(release_root: Path, files: Tuple[str, ...]) -> List[Function]:
    found = []
    for file in files:
        path = release_root / file
        if not path.is_file():
            continue
        tree = parse(path, file)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found.append(Function(node.name, item.name, file, item))  # type: ignore[arg-type]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append(Function("<module>", node.name, file, node))  # type: ignore[arg-type]
    return found


def _called_names(function: ast.FunctionDef) -> Iterator[str]:
    """Names this function calls: ``self.x()``, ``obj.x()``, ``x()`` (resolved by name: a
    conservative over-approximation, so a bypass cannot hide behind an unusual receiver)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                yield func.attr
            elif isinstance(func, ast.Name):
                yield func.id


def _transport_uses(function: ast.FunctionDef) -> List[Tuple[int, str]]:
    uses = []
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in TRANSPORT_ATTRIBUTES:
            uses.append((node.lineno, node.attr))
        elif isinstance(node, ast.Name) and node.id in {name.split(".")[0] for name in HTTP_LIBRARIES} | {"urllib3"}:
            uses.append((node.lineno, node.id))
    return uses


def check_call_path(release_root: Path) -> CheckResult:
    """Every path from ``ApiClient.call_api`` and each ``TokenApi`` method reaches the network only
    through ``ApiClient.request`` (see the module docstring)."""
    functions = _functions(release_root, (API_CLIENT_FILE, TOKEN_API_FILE))
    by_name: Dict[str, List[Function]] = {}
    for function in functions:
        by_name.setdefault(function.name, []).append(function)
    choke = [f for f in by_name.get(CHOKE_POINT, []) if f.owner == "ApiClient"]
    roots = [f for f in functions if f.owner == "ApiClient" and f.name == "call_api"]
    roots += [f for f in functions if f.owner == "TokenApi" and not f.name.startswith("__")]
    problems: List[str] = []
    if not choke:
        problems.append(f"{API_CLIENT_FILE}: ApiClient.request (the choke point the shim wraps) not found")
    if not any(f.name == "call_api" for f in roots):
        problems.append(f"{API_CLIENT_FILE}: ApiClient.call_api not found")
    if not any(f.owner == "TokenApi" for f in roots):
        problems.append(f"{TOKEN_API_FILE}: class TokenApi not found")
    paths: Dict[str, str] = {}
    for root in roots:
        reached, bypasses = _walk(root, by_name)
        label = f"{root.owner}.{root.name}"
        for function, line, what in bypasses:
            problems.append(
                f"{function.file}:{line}: {function.owner}.{function.name} uses {what} directly, reached from "
                f"{label} without passing ApiClient.request"
            )
        if CHOKE_POINT in reached:
            paths[label] = " -> ".join(reached[CHOKE_POINT])
        elif root.name == "call_api":
            problems.append(f"{label} never reaches ApiClient.request: requests would bypass the shim")
    token_methods = [r for r in roots if r.owner == "TokenApi"]
    senders = [r for r in token_methods if f"TokenApi.{r.name}" in paths]
    if token_methods and not senders and not problems:
        problems.append("no TokenApi method reaches ApiClient.request: token calls go some other way")
    if problems:
        return CheckResult("call path", False, problems[0], problems)
    shown = "; ".join(f"{paths[k]}" for k in sorted(paths))
    return CheckResult(
        "call path",
        True,
        f"call_api and {len(senders)} TokenApi methods reach the network only through ApiClient.request ({shown})",
    )


def _walk(
    root: Function, by_name: Dict[str, List[Function]]
) -> Tuple[Dict[str, List[str]], List[Tuple[Function, int, str]]]:
    """Breadth-first from ``root``: the path to each reached function name, and every transport use
    in a reached function other than the choke point itself."""
    reached: Dict[str, List[str]] = {root.name: [f"{root.owner}.{root.name}"]}
    queue = [root]
    seen: Set[Tuple[str, str]] = {(root.owner, root.name)}
    bypasses: List[Tuple[Function, int, str]] = []
    while queue:
        function = queue.pop(0)
        if function.name == CHOKE_POINT and function.owner == "ApiClient":
            continue  # below the choke point the transport is the shim's business
        for line, what in _transport_uses(function.node):
            bypasses.append((function, line, what))
        for name in _called_names(function.node):
            for callee in by_name.get(name, []):
                key = (callee.owner, callee.name)
                if key in seen:
                    continue
                seen.add(key)
                reached.setdefault(callee.name, reached[function.name] + [f"{callee.owner}.{callee.name}"])
                queue.append(callee)
    return reached, bypasses


def _imports(tree: ast.Module) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _is_http_library(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in HTTP_LIBRARIES)


def check_transport(release_root: Path, package: str = "xero_python") -> CheckResult:
    """``rest.py`` sends through urllib3's ``PoolManager`` (or ``ProxyManager``), and no module of
    the release imports another HTTP library or ``socket``."""
    problems: List[str] = []
    for relative, text in python_texts(release_root, package):
        problems += _http_imports(relative, text)
    rest = release_root / REST_FILE
    if not rest.is_file():
        problems.append(f"{REST_FILE} not found: the transport moved")
    else:
        tree = parse(rest, REST_FILE)
        pools = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == "pool_manager" for t in node.targets
            ):
                pools.append((node.lineno, _call_name(node.value)))
        if not pools:
            problems.append(f"{REST_FILE}: no pool_manager is built: the transport is not urllib3's PoolManager")
        for line, built in pools:
            if built not in {f"urllib3.{name}" for name in ALLOWED_POOLS}:
                problems.append(f"{REST_FILE}:{line}: pool_manager is {built or 'not a call'}, not urllib3.PoolManager")
    if problems:
        return CheckResult("transport", False, problems[0], problems)
    return CheckResult(
        "transport", True, f"{REST_FILE} sends through urllib3.PoolManager/ProxyManager; no other HTTP library imported"
    )


def _call_name(node: ast.AST) -> str:
    if not isinstance(node, ast.Call):
        return ""
    parts = []
    func = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def _docstrings(tree: ast.Module) -> Set[int]:
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def _incomplete_urls(text: str) -> List[str]:
    """URL pieces in ``text`` whose host is not a complete literal name (a prefix to be completed
    at run time: ``"https://"``, ``"https://api."``, ``"https://%s/..."``, ``"https://{host}"``)."""
    found = []
    for match in _URL.finditer(text):
        piece = match.group(0).rstrip(".,;:")
        try:
            host = urlsplit(piece).hostname or ""
        except ValueError:
            host = ""
        if not _HOST.match(host) or match.group(0).endswith("."):
            found.append(piece or match.group(0))
    return found


def check_url_sources(release_root: Path, package: str = "xero_python") -> CheckResult:
    """Every URL in code is a complete literal (see the module docstring)."""
    problems: List[str] = []
    for relative, text in python_texts(release_root, package):
        problems += _url_source_problems(relative, text)
    problems = list(dict.fromkeys(problems))
    if problems:
        return CheckResult("URL sources", False, problems[0], problems)
    return CheckResult(
        "URL sources", True, "every URL in code is a complete literal; nothing is read from the environment"
    )


@per_file
def _url_source_problems(relative: str, tree: ast.Module) -> Tuple[str, ...]:
    problems: List[str] = []
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for piece in _incomplete_urls(node.value):
                problems.append(f"{relative}:{node.lineno}: URL assembled at run time from {piece!r}")
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if "://" in literal or re.search(r"\.(com|io|net|org)\b", literal):
                problems.append(f"{relative}:{node.lineno}: URL built with an f-string ({literal[:60]!r}...)")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _has_host_piece(node):
            problems.append(f"{relative}:{node.lineno}: URL or host assembled by concatenation")
        elif _reads_environment(node):
            problems.append(
                f"{relative}:{getattr(node, 'lineno', 0)}: reads the environment ({_environment_key(node)})"
            )
    return tuple(problems)


@per_file
def _http_imports(relative: str, tree: ast.Module) -> Tuple[str, ...]:
    return tuple(
        f"{relative}:{line}: imports {module}, a transport the guards do not wrap"
        for line, module in _imports(tree)
        if _is_http_library(module) and (relative, module) not in KNOWN_HARMLESS_IMPORTS
    )


def _has_host_piece(node: ast.BinOp) -> bool:
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text = part.value
            if "://" in text or re.search(r"(^|\.)(xero|com|io|net|org)(\.|$)", text):
                return True
    return False


def _reads_environment(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb"):
        return True
    if isinstance(node, ast.Call):
        name = _call_name(node)
        return name in ("os.getenv", "getenv", "os.getenvb")
    if isinstance(node, ast.ImportFrom) and node.module == "os":
        return any(alias.name in ("environ", "getenv") for alias in node.names)
    return False


def _environment_key(node: ast.AST) -> str:
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        return f"{_call_name(node)}({node.args[0].value!r})"
    if isinstance(node, ast.ImportFrom):
        return "from os import environ/getenv"
    return "os.environ"
