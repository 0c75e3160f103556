"""A small HTTP server on loopback that stands in for Ledgerflow and records what it is sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Tuple
from urllib.parse import parse_qs

TOKEN_RESPONSE = {
    "access_token": "new-access-token",
    "refresh_token": "new-refresh-token",
    "id_token": "new-id-token",
    "token_type": "Bearer",
    "expires_in": 1800,
    "scope": "openid offline_access accounting.transactions",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes

    @property
    def form(self) -> Dict[str, List[str]]:
        return parse_qs(self.body.decode())


@dataclass
class RecordingServer:
    """Answers like Ledgerflow would, for the endpoints the client tests touch."""

    server: ThreadingHTTPServer
    requests: List[RecordedRequest] = field(default_factory=list)
    redirects: Dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def seen(self) -> List[Tuple[str, str]]:
        with self.lock:
            return [(r.method, r.path) for r in self.requests]


def _answer(path: str) -> Tuple[int, object]:
    bare = path.split("?", 1)[0]
    if bare.endswith("/connect/token"):
        return 200, TOKEN_RESPONSE
    if bare.endswith("/connect/revocation"):
        return 200, {}
    if bare.endswith("/connections"):
        return 200, [
            {
                "id": "b1a5a3c6-0000-4000-8000-000000000001",
                "tenantId": "7b3d1a52-0000-4000-8000-000000000002",
                "tenantType": "ORGANISATION",
                "tenantName": "Recorded Org",
            }
        ]
    if "/api.xro/2.0/" in bare:
        source = bare.split("/")[1]
        return 200, {"Organisations": [{"Name": f"Org of source {source}", "OrganisationID": None}]}
    return 404, {"Title": "Not found", "Detail": bare}


def _handler(recorder: RecordingServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with recorder.lock:
                recorder.requests.append(RecordedRequest(self.command, self.path, dict(self.headers), body))
            target = recorder.redirects.get(self.path.split("?", 1)[0])
            if target:
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, payload = _answer(self.path)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def start_recording_server() -> Iterator[RecordingServer]:
    """Start the server on a free loopback port; stop it when the generator is closed."""
    recorder = RecordingServer(server=None)  # type: ignore[arg-type]
    recorder.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    recorder.server.daemon_threads = True
    thread = threading.Thread(target=recorder.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        recorder.server.shutdown()
        recorder.server.server_close()
