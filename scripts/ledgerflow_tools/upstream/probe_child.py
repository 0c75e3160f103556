"""The dynamic probe's inside half: run by :mod:`ledgerflow_tools.upstream.probe` in a throwaway
environment holding one xero-python release and this package; never imported by the tooling.

    python probe_child.py --source 1004 --events EVENTS.jsonl --out RESULT.json

It hooks the socket layer first (``socket.getaddrinfo``, ``socket.create_connection``,
``socket.socket.connect``/``connect_ex``, ``gethostbyname``): every attempt is written to the
events file as it happens, and every attempt at anything but the loopback stand-in is refused, so
nothing leaves the machine whatever transport the release uses. Then it starts a loopback
Ledgerflow stand-in, builds routed clients (``ledgerflow_xero.ApiClient`` with its own
``Configuration`` and a plain client under ``ledgerflow_xero.patch()``), and exercises token
refresh, client credentials, revocation, connections, a redirect off the stand-in, and every
public method of every API class it finds in the installed release. Each step's requests (at the
stand-in) and socket attempts are recorded against the step; the parent judges them.

Standard library, ``xero_python`` and ``ledgerflow_xero`` only: it runs on any release's environment.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import pkgutil
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple

STANDIN_HOST = "127.0.0.1"
REDIRECT_ELSEWHERE = "https://redirect-target.invalid/collect"
"""Where the stand-in redirects one call to (besides Xero): a host no client may follow to."""
_state: Dict[str, Any] = {"step": "setup", "port": None, "events": None, "redirect": None}
_requests: List[Dict[str, Any]] = []
_socket_events: List[Dict[str, Any]] = []
_lock = threading.Lock()


def _record_socket(kind: str, host: Any, port: Any) -> bool:
    """Log one socket-level attempt; True when it aims at the stand-in (and may go ahead)."""
    host_text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    try:
        port_number: int | None = int(port) if port is not None else None
    except (TypeError, ValueError):
        port_number = None
    allowed = host_text in (STANDIN_HOST, "localhost") and port_number in (_state["port"], None)
    event = {"step": _state["step"], "kind": kind, "host": host_text, "port": port_number, "allowed": allowed}
    with _lock:
        _socket_events.append(event)
        if _state["events"] is not None:
            _state["events"].write(json.dumps(event) + "\n")
            _state["events"].flush()
    return allowed


def install_socket_hooks() -> None:
    """Observe, and refuse unless it is the stand-in, every way a Python transport reaches the network."""
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if not _record_socket("getaddrinfo", host, port):
            raise socket.gaierror(socket.EAI_NONAME, f"probe: lookup of {host!r} refused")
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address: Tuple[Any, Any], *args: Any, **kwargs: Any) -> Any:
        if not _record_socket("create_connection", address[0], address[1]):
            raise ConnectionRefusedError(f"probe: connection to {address!r} refused")
        return real_create_connection(address, *args, **kwargs)

    def _address(address: Any) -> Tuple[Any, Any]:
        return (address[0], address[1]) if isinstance(address, tuple) and len(address) >= 2 else (address, None)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _record_socket("connect", *_address(address)):
            raise ConnectionRefusedError(f"probe: connection to {address!r} refused")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _record_socket("connect_ex", *_address(address)):
            return 111  # ECONNREFUSED
        return real_connect_ex(self, address)

    def gethostbyname(host: str) -> str:
        if not _record_socket("gethostbyname", host, None):
            raise socket.gaierror(socket.EAI_NONAME, f"probe: lookup of {host!r} refused")
        return real_gethostbyname(host)

    def gethostbyname_ex(host: str) -> Any:
        if not _record_socket("gethostbyname_ex", host, None):
            raise socket.gaierror(socket.EAI_NONAME, f"probe: lookup of {host!r} refused")
        return real_gethostbyname_ex(host)

    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex


class StandIn(BaseHTTPRequestHandler):
    """A loopback Ledgerflow: records every request with the step that sent it, answers plausibly."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each small answer waits out the client's delayed ACK

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        with _lock:
            _requests.append({"step": _state["step"], "method": self.command, "path": path})
        redirect = _state["redirect"]
        if redirect:
            self.send_response(307)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.endswith("/connect/token"):
            body: Any = {
                "access_token": "probe-access-2",
                "refresh_token": "probe-refresh-2",
                "expires_in": 1800,
                "token_type": "Bearer",
                "scope": "offline_access accounting.transactions",
            }
        elif path.lower().endswith("/connections"):
            body = []
        else:
            body = {}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer


def _token(OAuth2Token: Any) -> Any:
    token = OAuth2Token(client_id="probe-client-id", client_secret="probe-client-secret")
    token.update_token(
        access_token="probe-access",
        refresh_token="probe-refresh",
        scope=["offline_access", "accounting.transactions"],
        expires_in=1800,
        expires_at=time.time() + 1800,
        token_type="Bearer",
        id_token=None,
    )
    return token


def _client_factories(source: int, host: str) -> List[Tuple[str, Callable[[], Any]]]:
    from xero_python.api_client import ApiClient as XeroApiClient
    from xero_python.api_client.configuration import Configuration as XeroConfiguration
    from xero_python.api_client.oauth2 import OAuth2Token

    import ledgerflow_xero

    def with_store(client: Any) -> Any:
        store: Dict[str, Any] = {"token": dict(client.configuration.oauth2_token.__dict__)}
        store["token"] = {
            "access_token": "probe-access",
            "refresh_token": "probe-refresh",
            "scope": ["offline_access", "accounting.transactions"],
            "expires_in": 1800,
            "expires_at": time.time() + 1800,
            "token_type": "Bearer",
        }
        client.oauth2_token_getter(lambda: store["token"])
        client.oauth2_token_saver(lambda token: store.update(token=token))
        return client

    def own_configuration() -> Any:
        configuration = ledgerflow_xero.Configuration(source=source, host=host, oauth2_token=_token(OAuth2Token))
        return with_store(ledgerflow_xero.ApiClient(configuration, pool_threads=1))

    def patched_plain_client() -> Any:
        return with_store(XeroApiClient(XeroConfiguration(oauth2_token=_token(OAuth2Token)), pool_threads=1))

    return [("routed client", own_configuration), ("patch()", patched_plain_client)]


def discover_api_classes() -> List[Tuple[str, Any]]:
    """Every API class of the installed release: classes under ``xero_python`` with a ``base_url``
    and an ``api_client`` constructor argument, found by importing its modules (models skipped)."""
    import xero_python

    found: Dict[str, Any] = {}
    for module_info in pkgutil.walk_packages(xero_python.__path__, "xero_python."):
        name = module_info.name
        if ".models" in name or name.endswith(".models"):
            continue
        try:
            module = importlib.import_module(name)
        except Exception as error:  # a module that fails to import is reported, not fatal
            found[f"{name} (import failed)"] = error
            continue
        for value in vars(module).values():
            if not inspect.isclass(value) or not value.__module__.startswith("xero_python"):
                continue
            try:
                parameters = inspect.signature(value.__init__).parameters
            except (TypeError, ValueError):
                continue
            if isinstance(getattr(value, "base_url", None), str) and "api_client" in parameters:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return sorted(found.items())


_DUMMY_ID = "00000000-0000-0000-0000-000000000001"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up (a refused redirect) is not news


def dummy_arguments(method: Any) -> List[Any] | None:
    """Positional dummies for a generated API method's required parameters (None: not callable)."""
    try:
        parameters = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return None
    arguments: List[Any] = []
    for parameter in parameters:
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            continue
        if parameter.default is not parameter.empty:
            break
        name = parameter.name.lower()
        if "tenant" in name:
            arguments.append("probe-tenant")
        elif name.endswith("id") or name.endswith("_ids") or name.endswith("number"):
            arguments.append(_DUMMY_ID)
        elif "date" in name:
            arguments.append("2024-01-01")
        elif name == "body" and ("attachment" in method.__name__ or "file" in method.__name__):
            arguments.append(b"probe-bytes")
        elif name == "body":
            arguments.append({})
        else:
            arguments.append("probe")
    return arguments


def api_methods(cls: Any) -> List[str]:
    """The public operation methods of an API class (not the ``_with_http_info`` twins)."""
    names = []
    for name, value in vars(cls).items():
        if name.startswith("_") or not callable(value) or name.endswith("_with_http_info"):
            continue
        if name in ("get_resource_url",):
            continue
        names.append(name)
    return sorted(names)


def _call(factory: Callable[[], Any], method: str) -> Callable[[], Any]:
    """A step that builds a fresh client and calls one of its methods."""
    return lambda: getattr(factory(), method)()


def _api_call(api: Any, factory: Callable[[], Any], method: str, *arguments: Any) -> Callable[[], Any]:
    """A step that builds a fresh client, wraps it in ``api`` and calls ``method``."""
    return lambda: getattr(api(factory()), method)(*arguments)


def run_step(name: str, action: Callable[[], Any], results: List[Dict[str, Any]], redirect: str | None = None) -> None:
    _state["step"] = name
    _state["redirect"] = redirect
    error: BaseException | None = None
    started = time.monotonic()
    try:
        action()
    except BaseException as caught:  # noqa: BLE001 - every outcome is data for the verdict
        error = caught
        if isinstance(caught, KeyboardInterrupt):
            raise
    finally:
        _state["redirect"] = None
        _state["step"] = "between steps"
    results.append(
        {
            "step": name,
            "error_type": type(error).__name__ if error else None,
            "error_mro": [klass.__name__ for klass in type(error).__mro__] if error else [],
            "error": str(error)[:300] if error else None,
            "seconds": round(time.monotonic() - started, 3),
        }
    )


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=int, required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    _state["events"] = open(args.events, "w", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    install_socket_hooks()
    server = _QuietServer((STANDIN_HOST, 0), StandIn)
    _state["port"] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://{STANDIN_HOST}:{_state['port']}"
    results: List[Dict[str, Any]] = []
    outcome: Dict[str, Any] = {"source": args.source, "standin": host, "steps": results}
    try:
        import ledgerflow_xero
        from ledgerflow_xero.routing import XERO_URLS

        outcome["xero_python"] = _installed_version("xero-python")
        ledgerflow_xero.patch(source=args.source, host=host)
        factories = _client_factories(args.source, host)
        classes = discover_api_classes()
        outcome["api_classes"] = [name for name, _ in classes]
        broken = [f"{name}: {value!r}" for name, value in classes if isinstance(value, BaseException)]
        outcome["import_failures"] = broken
        for label, factory in factories:
            # Token calls first, each on a fresh client: a guard installed lazily would miss them.
            run_step(f"{label}: refresh token", _call(factory, "refresh_oauth2_token"), results)
            run_step(
                f"{label}: client credentials",
                _call(factory, "get_client_credentials_token"),
                results,
            )
            run_step(f"{label}: revoke token", _call(factory, "revoke_oauth2_token"), results)
            from xero_python.identity import IdentityApi

            run_step(f"{label}: connections", _api_call(IdentityApi, factory, "get_connections"), results)
            from xero_python.accounting import AccountingApi

            # A redirect off the stand-in must not be followed: to Xero, or to any other host.
            for where, redirect in (
                ("Xero", XERO_URLS["accounting"] + "/Organisation"),
                ("another host", REDIRECT_ELSEWHERE),
            ):
                run_step(
                    f"{label}: redirect to {where}",
                    _api_call(AccountingApi, factory, "get_organisations", "probe-tenant"),
                    results,
                    redirect=redirect,
                )
            client = factory()
            for class_name, cls in classes:
                if isinstance(cls, BaseException):
                    continue
                try:
                    api = cls(client)
                except Exception as error:  # noqa: BLE001
                    results.append({"step": f"{label}: {class_name}()", "error_type": type(error).__name__,
                                    "error_mro": [], "error": str(error)[:300]})  # fmt: skip
                    continue
                for method_name in api_methods(cls):
                    method = getattr(api, method_name)
                    arguments = dummy_arguments(method)
                    if arguments is None:
                        continue
                    run_step(
                        f"{label}: {class_name}.{method_name}",
                        functools.partial(method, *arguments),
                        results,
                    )
        ledgerflow_xero.unpatch()
    except BaseException:  # noqa: BLE001 - the parent reports a probe that could not run
        outcome["crash"] = traceback.format_exc()[-3000:]
    finally:
        server.shutdown()
        _state["events"].close()
    outcome["requests"] = _requests
    outcome["socket_events"] = _socket_events
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(outcome, out)
    return 0


def _installed_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
