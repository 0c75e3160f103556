"""``ledgerflow-xero check PATH...``: which of a program's xero-python calls will work through Ledgerflow.

Reads Python files with :mod:`ast` — it never imports or runs them — and finds the calls that
reach xero-python's API classes (``AccountingApi``, ``IdentityApi``, and the payroll, assets,
files, projects, finance and app store APIs): on instances held in variables or attributes
(``self.api``), returned by helper functions, imported from another module of the program,
passed in as annotated parameters, or dispatched with ``getattr(api, "name")``. Each call is
judged against the operation table (:mod:`ledgerflow_xero.surface`): served, not served (and
why), an API Ledgerflow does not serve at all, or unknown (a method name chosen at run time).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Sequence, Tuple, Union

from .errors import LedgerflowError

# xero-python's API classes by module; the last two are what Ledgerflow serves.
API_MODULES: Dict[str, str] = {
    "AccountingApi": "accounting",
    "IdentityApi": "identity",
    "PayrollAuApi": "payrollau",
    "PayrollAuV2Api": "payrollauv2",
    "PayrollNzApi": "payrollnz",
    "PayrollUkApi": "payrolluk",
    "AssetApi": "assets",
    "FilesApi": "file",
    "ProjectApi": "project",
    "FinanceApi": "finance",
    "AppStoreApi": "appstore",
}
_HELPERS = frozenset({"get_resource_url", "get_model_finder"})  # API class helpers that send nothing
_SKIPPED_DIRS = frozenset({".git", ".hg", ".venv", "venv", "env", ".tox", ".nox", "__pycache__", "node_modules",
                           "site-packages", "build", "dist", ".mypy_cache", ".pytest_cache"})
DYNAMIC = "<dynamic>"

SERVED = "served"
NOT_SERVED = "not-served"
UNSUPPORTED_API = "unsupported-api"
UNKNOWN = "unknown"
STATUSES = (SERVED, NOT_SERVED, UNSUPPORTED_API, UNKNOWN)


class CheckUsageError(LedgerflowError, ValueError):
    """``check`` was given nothing to read: no path, or a path that does not exist."""


@dataclass(frozen=True)
class Call:
    """One call of a xero-python API method found in a file."""

    file: str
    line: int
    column: int
    api: str  # "AccountingApi"
    method: str  # "create_invoices", or "<dynamic>"
    status: str  # one of STATUSES
    reason: str | None = None  # the operation's reason when not served ("write", ...)
    detail: str = ""  # the text after the dash
    http_method: str | None = None
    path_template: str | None = None

    def line_text(self) -> str:
        return f"{self.file}:{self.line}: {self.api}.{self.method} — {self.detail}"


@dataclass
class CheckReport:
    """What :func:`check_paths` found: the calls, the files it read, the files it could not parse."""

    calls: List[Call] = field(default_factory=list)
    files: int = 0
    errors: List[Tuple[str, str]] = field(default_factory=list)

    def counts(self) -> Dict[str, int]:
        return {status: sum(1 for call in self.calls if call.status == status) for status in STATUSES}

    @property
    def exit_code(self) -> int:
        """0 when every call found is served (and every file was read), 1 otherwise."""
        return 0 if not self.errors and all(call.status == SERVED for call in self.calls) else 1

    def summary(self) -> str:
        counts = self.counts()
        text = (f"{len(self.calls)} xero-python call(s) in {self.files} file(s): {counts[SERVED]} served, "
                f"{counts[NOT_SERVED]} not served, {counts[UNSUPPORTED_API]} unsupported API, "
                f"{counts[UNKNOWN]} unknown")
        if self.errors:
            text += f"; {len(self.errors)} file(s) could not be read"
        if not self.calls:
            text += (" (API objects imported from modules not given are not seen: pass the program's whole folder)")
        return text

    def lines(self) -> List[str]:
        out = [call.line_text() for call in self.calls]
        out += [f"{file}: could not be read: {error}" for file, error in self.errors]
        return out + [self.summary()]

    def to_json(self) -> Dict[str, Any]:
        return {
            "calls": [asdict(call) for call in self.calls],
            "summary": {"files": self.files, "calls": len(self.calls), **self.counts()},
            "errors": [{"file": file, "error": error} for file, error in self.errors],
            "exit_code": self.exit_code,
        }


def judge(api: str, method: str) -> Tuple[str, str | None, str, str | None, str | None]:
    """(status, reason, detail, http_method, path_template) of ``api.method`` through Ledgerflow."""
    from . import surface

    if api not in ("AccountingApi", "IdentityApi"):
        return UNSUPPORTED_API, None, "unsupported API: Ledgerflow serves accounting and identity only", \
            None, None
    if method == DYNAMIC:
        return UNKNOWN, None, "unknown: the method name is chosen at run time", None, None
    if api == "IdentityApi":
        added = {op.sdk_method: op for op in surface.ADDED}
        if method in added:
            return SERVED, None, "served", added[method].http_method, added[method].path_template
        return UNKNOWN, None, "unknown: not a method of xero-python's IdentityApi", None, None
    operation = surface.sdk_operation(method)
    if operation is None:
        return UNKNOWN, None, "unknown: not a method of xero-python's AccountingApi", None, None
    if operation.served:
        return SERVED, None, "served", operation.http_method, operation.path_template
    label = surface.SHORT_REASONS.get(operation.reason or "", operation.reason or "")
    if operation.reason != "write":
        label += " not served"
    return NOT_SERVED, operation.reason, f"not served by Ledgerflow: {label}", operation.http_method, \
        operation.path_template


# --------------------------------------------------------------------------- reading the code
# What a name or expression stands for: an API class name, or ("names", [...]) for a loop
# variable over constant strings, or ("method", api, name) for a bound API method.
_Value = Union[str, Tuple[Any, ...]]
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _own_nodes(body: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node of ``body`` that belongs to this scope (not to a nested function or lambda)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*_FUNCTIONS, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


class _Module:
    """One file: its imports, the names and attributes bound to API objects, what functions return."""

    def __init__(self, path: str, tree: ast.Module, exports: Dict[Tuple[str, str], _Value]) -> None:
        self.path = path
        self.tree = tree
        self.stem = Path(path).stem
        self.exports = exports  # (module name, global name) -> value, from every file read
        self.classes: Dict[str, str] = {}  # local name -> API class
        self.modules: Dict[str, str] = {}  # local name -> dotted module it stands for
        self.attributes: Dict[str, _Value] = {}  # attribute name (self.api) -> value
        self.returns: Dict[str, _Value] = {}  # function or method name -> what it returns
        self.globals: Dict[str, _Value] = {}
        # (function name, parameter name) -> what a call site of this file passed for it
        self.arguments: Dict[Tuple[str, str], _Value] = {}
        self.functions: Dict[str, Union[ast.FunctionDef, ast.AsyncFunctionDef]] = {
            node.name: node for node in ast.walk(tree) if isinstance(node, _FUNCTIONS)
        }
        self._imports()

    def _imports(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.modules[alias.asname] = alias.name
                    else:
                        self.modules[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                for alias in node.names:
                    local = alias.asname or alias.name
                    if module.startswith("xero_python") and alias.name in API_MODULES:
                        self.classes[local] = alias.name
                    else:
                        self.modules[local] = f"{module}.{alias.name}" if module else alias.name

    # ----- what an expression stands for
    def dotted(self, node: ast.AST) -> str | None:
        """The dotted name ``node`` stands for through this file's imports (``accounting.AccountingApi``
        -> ``xero_python.accounting.AccountingApi``), or None."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def api_class(self, node: ast.AST) -> str | None:
        """The API class ``node`` names (``AccountingApi``, ``A`` for an alias, ``accounting.AccountingApi``)."""
        if isinstance(node, ast.Name) and node.id in self.classes:
            return self.classes[node.id]
        dotted = self.dotted(node)
        if dotted and dotted.startswith("xero_python") and dotted.rsplit(".", 1)[-1] in API_MODULES:
            return dotted.rsplit(".", 1)[-1]
        return None

    def value(self, node: ast.AST | None, scope: Dict[str, _Value]) -> _Value | None:
        if node is None:
            return None
        if isinstance(node, ast.Call):
            cls = self.api_class(node.func)
            if cls:
                return cls
            if isinstance(node.func, ast.Name):
                if node.func.id == "getattr" and len(node.args) >= 2:
                    return self._bound(node, scope)
                found = self.returns.get(node.func.id) or self._imported(node.func.id)
                if found:
                    return found
            if isinstance(node.func, ast.Attribute):
                return self.returns.get(node.func.attr) or self._exported(node.func)
            return None
        if isinstance(node, ast.Name):
            return scope.get(node.id) or self.globals.get(node.id) or self._imported(node.id)
        if isinstance(node, ast.Attribute):
            found = self.attributes.get(node.attr) or self._exported(node)
            if found is None and node.attr not in _HELPERS:  # a bound method: fetch = api.get_invoices
                api = self.value(node.value, scope)
                if isinstance(api, str):
                    return ("method", api, [node.attr])
            return found
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):  # method names to dispatch on with getattr
            names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            return ("names", names) if names and len(names) == len(node.elts) else None
        if isinstance(node, ast.IfExp):
            return self.value(node.body, scope) or self.value(node.orelse, scope)
        if isinstance(node, ast.BoolOp):
            return next((v for v in (self.value(n, scope) for n in node.values) if v), None)
        if isinstance(node, (ast.Await, ast.NamedExpr)):
            return self.value(node.value, scope)
        return None

    def _bound(self, call: ast.Call, scope: Dict[str, _Value]) -> _Value | None:
        api = self.value(call.args[0], scope)
        if not isinstance(api, str):
            return None
        name = call.args[1]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return ("method", api, [name.value])
        named = self.value(name, scope) if isinstance(name, ast.Name) else None
        if isinstance(named, tuple) and named[0] == "names":
            return ("method", api, list(named[1]))
        return ("method", api, [DYNAMIC])

    def _imported(self, local: str) -> _Value | None:
        """A name imported from another file read in the same run (``from clients import api``)."""
        dotted = self.modules.get(local)
        if not dotted or "." not in dotted:
            return None
        module, name = dotted.rsplit(".", 1)
        return self.exports.get((module.rsplit(".", 1)[-1], name))

    def _exported(self, node: ast.Attribute) -> _Value | None:
        """``clients.api`` / ``clients.make_api()`` where ``clients`` is a module read in the same run."""
        base = self.dotted(node.value)
        if not base:
            return None
        return self.exports.get((base.rsplit(".", 1)[-1], node.attr))

    def annotation(self, node: ast.AST | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.Subscript):  # Optional[AccountingApi]
            return self.annotation(node.slice)
        if isinstance(node, ast.BinOp):  # AccountingApi | None
            return self.annotation(node.left) or self.annotation(node.right)
        return self.api_class(node)

    # ----- scopes
    def bind(self, body: Sequence[ast.AST], scope: Dict[str, _Value], name: str | None) -> None:
        """Record what the names, attributes and return values of one scope stand for."""
        for node in _own_nodes(body):
            if isinstance(node, ast.Assign):
                found = self.value(node.value, scope)
                if found:
                    for target in node.targets:
                        self._assign(target, found, scope)
            elif isinstance(node, ast.AnnAssign):
                found = self.value(node.value, scope) or self.annotation(node.annotation)
                if found:
                    self._assign(node.target, found, scope)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                found = self.value(node.context_expr, scope)
                if found:
                    self._assign(node.optional_vars, found, scope)
            elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
                found = self.value(node.iter, scope)
                if isinstance(found, tuple) and found[0] == "names":
                    scope[node.target.id] = found
            elif isinstance(node, ast.Call):
                self._note_arguments(node, scope)
            elif isinstance(node, ast.Return) and name is not None:
                found = self.value(node.value, scope)
                if found:
                    self.returns[name] = found
            elif isinstance(node, _FUNCTIONS):
                self.bind(node.body, self.parameters(node, scope), node.name)

    def parameters(self, function: Union[ast.FunctionDef, ast.AsyncFunctionDef],
                   outer: Dict[str, _Value]) -> Dict[str, _Value]:
        scope = dict(outer) if outer is not self.globals else {}
        arguments = function.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            found = self.annotation(argument.annotation) or self.arguments.get((function.name, argument.arg))
            if found:
                scope[argument.arg] = found
        if function.returns is not None:
            found = self.annotation(function.returns)
            if found:
                self.returns.setdefault(function.name, found)
        return scope

    def _note_arguments(self, call: ast.Call, scope: Dict[str, _Value]) -> None:
        """``fetch(accounting_api, tenant)``: remember that ``fetch``'s first parameter is an API
        object, so the calls inside ``fetch`` are found too (``self.fetch(...)`` skips ``self``)."""
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        function = self.functions.get(name or "")
        if function is None:
            return
        positional = [*function.args.posonlyargs, *function.args.args]
        if isinstance(func, ast.Attribute) and positional and positional[0].arg in ("self", "cls"):
            positional = positional[1:]
        for parameter, argument in zip(positional, call.args):
            found = self.value(argument, scope)
            if isinstance(found, str):
                self.arguments[(function.name, parameter.arg)] = found
        for keyword in call.keywords:
            found = self.value(keyword.value, scope) if keyword.arg else None
            if isinstance(found, str):
                self.arguments[(function.name, str(keyword.arg))] = found

    def _assign(self, target: ast.AST, found: _Value, scope: Dict[str, _Value]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = found
        elif isinstance(target, ast.Attribute):
            self.attributes[target.attr] = found

    def calls(self, body: Sequence[ast.AST], scope: Dict[str, _Value]) -> Iterator[Tuple[ast.Call, str, str]]:
        """(call node, API class, method) for every API call in a scope and its nested scopes."""
        for node in _own_nodes(body):
            if isinstance(node, _FUNCTIONS):
                inner = self.parameters(node, scope)
                self.bind(node.body, inner, node.name)
                yield from self.calls(node.body, inner)
            elif isinstance(node, ast.Lambda):
                yield from self.calls([node.body], scope)
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    api = self.value(func.value, scope)
                    if isinstance(api, str) and func.attr not in _HELPERS:
                        yield node, api, func.attr
                        continue
                bound = self.value(func, scope)
                if isinstance(bound, tuple) and bound[0] == "method":
                    for method in bound[2]:
                        if method not in _HELPERS:
                            yield node, bound[1], method

    def analyse(self) -> None:
        """Bind names until nothing new is learned (helpers calling helpers)."""
        for _ in range(4):
            before = (dict(self.globals), dict(self.attributes), dict(self.returns), dict(self.arguments))
            self.bind(self.tree.body, self.globals, None)
            if before == (self.globals, self.attributes, self.returns, self.arguments):
                break

    def exported(self) -> Dict[Tuple[str, str], _Value]:
        found: Dict[Tuple[str, str], _Value] = {(self.stem, k): v for k, v in self.globals.items()}
        found.update({(self.stem, k): v for k, v in self.returns.items()})
        return found


# --------------------------------------------------------------------------- files
def python_files(paths: Iterable[Union[str, os.PathLike[str]]]) -> List[Path]:
    """The ``.py`` files under ``paths`` (files given by name are read whatever their suffix)."""
    found: List[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(".egg-info"))
                found.extend(Path(root) / name for name in sorted(files) if name.endswith(".py"))
        else:
            raise CheckUsageError(f"no such file or directory: {str(given)[:100]!r}; expected Python files or folders")
    return found


def check_paths(paths: Iterable[Union[str, os.PathLike[str]]]) -> CheckReport:
    """Find the xero-python API calls in the Python files under ``paths`` and judge each
    against what Ledgerflow serves. Never imports or runs the files."""
    given = list(paths)
    files = python_files(given)
    if not files:
        shown = ", ".join(repr(str(path))[:100] for path in given[:3]) or "nothing"
        raise CheckUsageError(f"no Python files under {shown}; expected .py files or folders holding them")
    report = CheckReport(files=len(files))
    modules: List[_Module] = []
    exports: Dict[Tuple[str, str], _Value] = {}
    for path in files:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError) as error:
            report.errors.append((str(path), f"{type(error).__name__}: {error}"[:200]))
            continue
        modules.append(_Module(str(path), tree, exports))
    for _ in range(3):  # a module's exports may come from another module's
        for module in modules:
            module.analyse()
            exports.update(module.exported())
    for module in modules:
        seen = set()
        for node, api, method in module.calls(module.tree.body, module.globals):
            key = (node.lineno, node.col_offset, api, method)
            if key in seen:
                continue
            seen.add(key)
            status, reason, detail, http_method, template = judge(api, method)
            report.calls.append(Call(module.path, node.lineno, node.col_offset + 1, api, method, status, reason,
                                     detail, http_method, template))
    report.calls.sort(key=lambda call: (call.file, call.line, call.column, call.method))
    return report


# --------------------------------------------------------------------------- command line
def _run(args: argparse.Namespace) -> int:
    report = check_paths(args.paths)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            print(line)
    return report.exit_code


def register(subparsers: Any) -> None:
    """Add ``check`` to the ``ledgerflow-xero`` command line."""
    parser = subparsers.add_parser(
        "check",
        help="list a program's xero-python calls and whether Ledgerflow serves each (migration check)",
        description="List the calls a Python program makes to xero-python's API classes and whether "
        "Ledgerflow serves each. Reads the files with ast: never imports or runs them. "
        "Exit status: 0 when every call found is served, 1 otherwise, 2 on usage errors.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Python files or folders to read")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.set_defaults(handler=_run)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ledgerflow_xero.check PATH...``; same as ``ledgerflow-xero check``."""
    parser = argparse.ArgumentParser(prog="ledgerflow-xero")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.handler(args))
    except LedgerflowError as error:
        print(f"ledgerflow-xero: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
