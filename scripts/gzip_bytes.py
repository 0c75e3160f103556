#!/usr/bin/env python3
"""Bytes on the wire for a page of 100 invoices from the local sandbox, with and without gzip.

A routed client asks for gzip (``Accept-Encoding: gzip``; urllib3 decodes it). This script
puts a counting TCP relay between a routed ``ApiClient`` and the sandbox and reads page 1 of
``/Invoices`` (100 invoices) twice per source: as the client sends it, and with
``Accept-Encoding: identity``. It prints the bytes the sandbox sent each way and the ratio,
and checks that both reads returned the same invoices.

    python scripts/gzip_bytes.py [--scale N]

Against a server that ignores ``Accept-Encoding`` both columns come out equal.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from pathlib import Path
from typing import Any, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xero_python.accounting import AccountingApi  # noqa: E402

from ledgerflow_xero.sandbox import Sandbox  # noqa: E402
from tests.support import SignedIn  # noqa: E402


class CountingRelay:
    """A loopback TCP relay to ``target_port`` that counts the bytes coming back."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = 0
        self.sent = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(client, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, "received"), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counter: str) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self._lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self) -> None:
        with self._lock:
            self.received = self.sent = 0


def measure(sandbox: Any, relay: CountingRelay, source: int, encoding: str | None) -> Tuple[int, int, List[str]]:
    session = SignedIn(sandbox, source)
    client = session.new_client()
    client.configuration.ledgerflow_router  # noqa: B018 - routed at the sandbox; now point it at the relay
    client.configuration.use_ledgerflow(source, f"http://127.0.0.1:{relay.port}")
    if encoding is not None:
        client.set_default_header("Accept-Encoding", encoding)
    AccountingApi(client).get_organisations(session.tenant_id)  # connect and warm up outside the count
    relay.reset()
    invoices = AccountingApi(client).get_invoices(session.tenant_id, page=1).invoices
    return relay.received, relay.sent, [invoice.invoice_id for invoice in invoices]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="sandbox dataset scale (books with more invoices)")
    args = parser.parse_args()
    try:
        sandbox = Sandbox(seed=1, scale=args.scale).start()  # type: ignore[call-arg]
    except TypeError:
        sandbox = Sandbox(seed=1).start()
    relay = CountingRelay(sandbox.port)
    try:
        print(f"{'source':>6}  {'invoices':>8}  {'gzip bytes':>10}  {'identity bytes':>14}  ratio")
        for source in (1001, 1004, 1009):
            gz, _, with_gzip = measure(sandbox, relay, source, None)  # as a routed client sends it
            plain, _, without = measure(sandbox, relay, source, "identity")
            assert with_gzip == without, "gzip and identity answers differ"
            print(f"{source:>6}  {len(with_gzip):>8}  {gz:>10,}  {plain:>14,}  {plain / gz:5.1f}x")
    finally:
        relay.listener.close()
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
