"""A loopback Ledgerflow stand-in that misbehaves on purpose, byte by byte.

A raw socket server (not ``http.server``) so a test can send exactly the bytes a broken
server or proxy would: a body cut short, garbage gzip, a byte every half second, silence,
a reset. Its token endpoint rotates refresh tokens like Xero and Ledgerflow do — a refresh
token works once, a reused one gets ``invalid_grant`` — and counts every refresh.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import parse_qs

SOURCE = 1004
TOKEN_PATH = f"/{SOURCE}/connect/token"
REVOKE_PATH = f"/{SOURCE}/connect/revocation"
ORGANISATION_PATH = f"/{SOURCE}/api.xro/2.0/Organisation"
CLIENT_ID = "loopback-client"
CLIENT_SECRET = "loopback-client-secret-value"
SCOPE = "openid offline_access accounting.settings.read"

Behaviour = Callable[["Connection"], None]


class Connection:
    """One accepted connection and the request read from it."""

    def __init__(self, server: LoopbackServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.method = ""
        self.path = ""
        self.headers: Dict[str, str] = {}
        self.body = b""

    def read_request(self) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.method, target, _ = lines[0].split(" ", 2)
        self.path = target.split("?", 1)[0]
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(self.headers.get("content-length") or 0)
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        self.body = rest[:length]
        return True

    @property
    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def send(self, status: int, body: bytes, headers: Dict[str, str] | None = None, *,
             content_length: int | None = None) -> None:
        fields = {"Content-Type": "application/json", "Content-Length": str(len(body) if content_length is None
                                                                            else content_length),
                  "Connection": "close"}
        fields.update(headers or {})
        head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
        self.sock.sendall(head.encode("latin-1") + body)

    def send_json(self, status: int, value: Any, headers: Dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(value).encode(), headers)

    def reset(self) -> None:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


class LoopbackServer:
    """Serves ``TOKEN_PATH``, ``REVOKE_PATH`` and ``ORGANISATION_PATH`` correctly unless a
    behaviour is queued for a path with :meth:`misbehave`."""

    def __init__(self, refresh_delay: float = 0.0) -> None:
        self.refresh_delay = refresh_delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._behaviours: Dict[str, List[Behaviour]] = {}
        self.valid_refresh_tokens: set = set()
        self.valid_access_tokens: set = set()
        self.refreshes = 0
        self.invalid_grants = 0
        self.requests: List[Tuple[str, str, Dict[str, str]]] = []
        self.forms: List[Dict[str, str]] = []  # the form of each token-endpoint request
        self._stopping = False
        self._open: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    # --- state ------------------------------------------------------------------------------
    def issue(self, expires_in: int = 1800) -> Dict[str, Any]:
        """A fresh token set as the endpoint would answer it (and register its tokens)."""
        with self._lock:
            number = next(self._counter)
            access, refresh = f"access-token-{number:04d}-secret", f"refresh-token-{number:04d}-secret"
            self.valid_access_tokens.add(access)
            self.valid_refresh_tokens.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": expires_in, "scope": SCOPE, "id_token": f"id-token-{number:04d}-secret"}

    def expired_set(self) -> Dict[str, Any]:
        """A stored token set whose access token has expired (the next call refreshes)."""
        token = self.issue()
        token["expires_at"] = time.time() - 10
        token["scope"] = SCOPE.split()
        return token

    def misbehave(self, path: str, behaviour: Behaviour, times: int = 1) -> None:
        with self._lock:
            self._behaviours.setdefault(path, []).extend([behaviour] * times)

    def behave(self) -> None:
        """Drop every queued misbehaviour."""
        with self._lock:
            self._behaviours.clear()

    # --- serving ----------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stopping:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        connection = Connection(self, sock)
        try:
            if not connection.read_request():
                return
            with self._lock:
                self.requests.append((connection.method, connection.path, dict(connection.headers)))
                if connection.path == TOKEN_PATH:
                    self.forms.append(connection.form)
                queue = self._behaviours.get(connection.path)
                behaviour = queue.pop(0) if queue else None
            (behaviour or self._normal)(connection)
        except OSError:
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _normal(self, connection: Connection) -> None:
        if connection.path == TOKEN_PATH:
            self.answer_token(connection)
        elif connection.path == REVOKE_PATH:
            connection.send(200, b"")
        elif connection.path.startswith(f"/{SOURCE}/api.xro/2.0/"):
            token = connection.headers.get("authorization", "").partition(" ")[2]
            if token not in self.valid_access_tokens:
                connection.send_json(401, {"Title": "Unauthorized"})
            else:
                connection.send_json(200, {"Organisations": [{"Name": "Loopback Ltd", "OrganisationID": "o-1"}],
                                           "Invoices": []})
        else:
            connection.send_json(404, {"Title": "Not Found"})

    def answer_token(self, connection: Connection, **changes: Any) -> None:
        """Answer a token request correctly (rotating), with ``changes`` applied to the set
        (a value of ``...`` removes the field)."""
        form = connection.form
        if form.get("grant_type") == "refresh_token":
            if self.refresh_delay:
                time.sleep(self.refresh_delay)
            with self._lock:
                known = form.get("refresh_token") in self.valid_refresh_tokens
                if known:
                    self.valid_refresh_tokens.discard(form["refresh_token"])
                    self.refreshes += 1
                else:
                    self.invalid_grants += 1
            if not known:
                connection.send_json(400, {"error": "invalid_grant"})
                return
        token = self.issue()
        for key, value in changes.items():
            if value is ...:
                token.pop(key, None)
            else:
                token[key] = value
        connection.send_json(200, token)

    def stop(self) -> None:
        self._stopping = True
        self._listener.close()
        for sock in self._open:
            try:
                sock.close()
            except OSError:
                pass
