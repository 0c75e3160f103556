"""Synthetic future xero-python releases, made by editing the real 15.2.0 sdist the way a release
could change (issue 14): each mutation is a small, named edit of the unpacked tree, written here;
no xero-python code is copied into this repository. :func:`build_sdist` packs the edited tree
deterministically (fixed mtimes), so a mutation's SHA-256, and every cache keyed by it, is stable.

Xero's URLs come from the routing table, so no host is spelled out here.
"""

from __future__ import annotations

import ast
import gzip
import io
import shutil
import tarfile
from pathlib import Path
from typing import Callable, Dict, Tuple

from ledgerflow_xero.routing import XERO_URLS

VERSION = "15.3.0"
Mutation = Callable[[Path], None]

ACCOUNTING = "xero_python/accounting/api/accounting_api.py"
API_CLIENT = "xero_python/api_client/__init__.py"
OAUTH2 = "xero_python/api_client/oauth2.py"
REST = "xero_python/rest.py"


def _replace(root: Path, file: str, old: str, new: str, count: int = 1) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    if text.count(old) < count:
        raise AssertionError(f"mutation anchor {old!r} not found {count}x in {file}: the real sdist changed")
    path.write_text(text.replace(old, new), encoding="utf-8")


def _replace_method(root: Path, file: str, cls: str, method: str, source: str) -> None:
    """Swap one method's whole definition for ``source`` (indented as a method)."""
    path = root / file
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    node = next(
        item
        for klass in tree.body
        if isinstance(klass, ast.ClassDef) and klass.name == cls
        for item in klass.body
        if isinstance(item, ast.FunctionDef) and item.name == method
    )
    lines = text.splitlines(keepends=True)
    start = node.lineno - 1 - len(node.decorator_list)
    path.write_text("".join(lines[:start]) + source + "".join(lines[node.end_lineno :]), encoding="utf-8")


def new_api_class(root: Path) -> None:
    """A new API class on a path of Xero's API host the routing table does not know."""
    package = root / "xero_python" / "ledger"
    (package / "api").mkdir(parents=True)
    (package / "__init__.py").write_text("from xero_python.ledger.api.ledger_api import LedgerApi  # noqa\n")
    (package / "api" / "__init__.py").write_text("")
    host = XERO_URLS["accounting"].rsplit("/api.xro", 1)[0]
    (package / "api" / "ledger_api.py").write_text(
        '"""A new API (synthetic)."""\n\n'
        "from xero_python.api_client import ApiClient\n\n\n"
        "class LedgerApi(object):\n"
        f'    base_url = "{host}/ledger.xro/1.0"\n\n'
        "    def __init__(self, api_client=None, base_url=None):\n"
        "        self.api_client = api_client or ApiClient()\n"
        "        self.base_url = base_url or self.base_url\n\n"
        "    def get_entries(self, xero_tenant_id):\n"
        '        url = self.base_url + "/Entries"\n'
        '        return self.api_client.call_api(url, "GET", header_params={"xero-tenant-id": xero_tenant_id},\n'
        "                                        _preload_content=False)\n"
    )


def moved_token_host(root: Path) -> None:
    """The token endpoint moves to another Xero host."""
    token = XERO_URLS["token"]
    moved = token.replace("//identity.", "//identity2.", 1)
    _replace(root, OAUTH2, f'"{token}"', f'"{moved}"', count=2)


def request_bypassed(root: Path) -> None:
    """``call_api`` sends through a new method; ``request()`` stays as an unused wrapper."""
    _replace(root, API_CLIENT, "response_data = self.request(", "response_data = self._send(")
    _replace(
        root,
        API_CLIENT,
        "    def request(\n",
        "    def _send(self, method, url, query_params=None, headers=None, post_params=None, body=None,\n"
        "              _preload_content=True, _request_timeout=None):\n"
        "        return self.rest_client.request(method, url, query_params=query_params, headers=headers,\n"
        "                                        post_params=post_params, body=body,\n"
        "                                        _preload_content=_preload_content,\n"
        "                                        _request_timeout=_request_timeout)\n\n"
        "    def request(\n",
    )


_TOKEN_VIA_REST = '''    def {name}(self, {args}):
        post_data = {{"grant_type": "{grant}", "client_id": self.client_id, "client_secret": self.client_secret}}
        {extra}
        response = self.api_client.rest_client.POST(
            self.{url}, headers={{"Content-Type": "application/x-www-form-urlencoded"}},
            post_params=post_data, _preload_content=False,
        )
        if response.status != 200:
            raise Exception("token status {{}}".format(response.status))
        return self.parse_token_response(response) if response.data else {{}}

'''


def token_via_rest_client(root: Path) -> None:
    """TokenApi posts through ``rest_client`` directly instead of ``call_api``."""
    for name, args, grant, url, extra in (
        ("refresh_token", "refresh_token, scope", "refresh_token", "refresh_token_url",
         'post_data["refresh_token"] = refresh_token'),
        ("revoke_token", "refresh_token", "revoke", "revoke_token_url", 'post_data["token"] = refresh_token'),
        ("get_client_credentials_token", "app_store_billing", "client_credentials", "client_credentials_token_url",
         "pass"),
    ):  # fmt: skip
        source = _TOKEN_VIA_REST.format(name=name, args=args, grant=grant, url=url, extra=extra)
        _replace_method(root, OAUTH2, "TokenApi", name, source)


_SWAPPED_REQUEST = '''    def request(self, method, url, query_params=None, headers=None, body=None, post_params=None,
                _preload_content=True, _request_timeout=None):
        import json as _json
        data = _json.dumps(body) if body is not None else (post_params or None)
        {send}
        response = RESTResponse(_Adapted(answer))
        if not 200 <= response.status <= 299:
            raise ApiException(http_resp=response)
        return response

'''
_ADAPTER = '''

class _Adapted(object):
    """Gives the other library's response urllib3's shape."""

    def __init__(self, answer):
        self._answer = answer
        self.status = answer.status_code
        self.reason = getattr(answer, "reason", None) or getattr(answer, "reason_phrase", "")
        self.data = answer.content

    def getheaders(self):
        return dict(self._answer.headers)

    def getheader(self, name, default=None):
        return self._answer.headers.get(name, default)
'''


def _transport_swapped(root: Path, import_line: str, send: str) -> None:
    # One client for the module, as a real transport would keep (and its connection pool).
    # The urllib3 pool manager stays (unused), so code that wraps it still finds it.
    _replace_method(root, REST, "RESTClientObject", "request", _SWAPPED_REQUEST.format(send=send))
    _replace(root, REST, "import certifi\n", f"import certifi\n{import_line}\n")
    with (root / REST).open("a", encoding="utf-8") as rest:
        rest.write(_ADAPTER)


def transport_requests(root: Path) -> None:
    """``rest.py`` sends with ``requests``, following redirects."""
    _transport_swapped(
        root,
        "import requests\n_SESSION = requests.Session()",
        "answer = _SESSION.request(method, url, params=query_params, headers=headers, data=data, "
        "allow_redirects=True, timeout=10)",
    )


def transport_httpx(root: Path) -> None:
    """``rest.py`` sends with ``httpx``, following redirects."""
    _transport_swapped(
        root,
        "import httpx\n_CLIENT = httpx.Client(follow_redirects=True, timeout=10)",
        "answer = _CLIENT.request(method, url, params=query_params, headers=headers, content=data "
        "if isinstance(data, str) else None, data=data if isinstance(data, dict) else None, "
        "follow_redirects=True)",
    )


def api_on_foreign_host(root: Path) -> None:
    """The accounting API moves to a host outside ``*.xero.com``."""
    accounting = XERO_URLS["accounting"]
    _replace(root, ACCOUNTING, f'"{accounting}"', f'"{accounting.replace(".com/", ".io/", 1)}"')


def url_by_concatenation(root: Path) -> None:
    """The accounting base URL is assembled from pieces, so no literal names its host."""
    accounting = XERO_URLS["accounting"]
    scheme, rest = accounting.split("//", 1)
    host, path = rest.split("/", 1)
    first, second = host.split(".", 1)
    pieces = f'"{scheme}//{first}." + "{second}" + "/{path}"'
    _replace(root, ACCOUNTING, f'base_url = "{accounting}"', f"base_url = {pieces}")


def url_from_environment(root: Path) -> None:
    """The accounting base URL may come from an environment variable."""
    accounting = XERO_URLS["accounting"]
    _replace(
        root,
        ACCOUNTING,
        f'base_url = "{accounting}"',
        f'base_url = __import__("os").environ.get("XERO_ACCOUNTING_URL", "{accounting}")',
    )


def docstring_only(root: Path) -> None:
    """Harmless: only a docstring changes (it even names a new page on Xero's developer site)."""
    _replace(
        root,
        ACCOUNTING,
        '        """\n        Combine API base url with resource specific path',
        '        """\n        See the new guide at https://developer.example.org/accounting-guide.\n'
        "        Combine API base url with resource specific path",
    )


MUTATIONS: Dict[str, Tuple[Mutation, str]] = {
    "new API class": (new_api_class, "FAIL"),
    "moved token host": (moved_token_host, "FAIL"),
    "request bypassed": (request_bypassed, "FAIL"),
    "token calls through rest_client": (token_via_rest_client, "FAIL"),
    "transport swapped to requests": (transport_requests, "FAIL"),
    "transport swapped to httpx": (transport_httpx, "FAIL"),
    "API on a non-xero.com host": (api_on_foreign_host, "FAIL"),
    "URL from string concatenation": (url_by_concatenation, "FAIL"),
    "URL from an environment variable": (url_from_environment, "FAIL"),
    "docstring-only change": (docstring_only, "PASS"),
}


def build_sdist(release_root: Path, mutation: Mutation, out_dir: Path, version: str = VERSION) -> Path:
    """Copy the unpacked release, apply ``mutation``, stamp ``version`` and pack it as an sdist."""
    work = out_dir / f"xero_python-{version}"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(release_root, work, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    old = release_root.name.split("-", 1)[1]
    for file in ("setup.py", "PKG-INFO", "xero_python/__init__.py"):
        _replace(work, file, old, version)
    mutation(work)
    archive = out_dir / f"xero_python-{version}.tar.gz"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(work.rglob("*")):
            if path.is_dir():
                continue
            info = tar.gettarinfo(str(path), arcname=f"{work.name}/{path.relative_to(work).as_posix()}")
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = 0, 0, 0, "", "", 0o644
            with path.open("rb") as data:
                tar.addfile(info, data)
    archive.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=1, mtime=0))
    shutil.rmtree(work)
    return archive
