"""The sandbox under bad clients: malformed or oversize bodies, clients that leave early, and the
"slow" fault delaying exactly what it says. Time bounds here only prove "no hang"."""

from __future__ import annotations

import logging
import socket
import struct
import time
from typing import Iterator, Tuple

import pytest

from ledgerflow_xero.sandbox import Sandbox, running_sandbox
from ledgerflow_xero.sandbox.server import MAX_BODY

NO_HANG = 10.0  # seconds; far above any answer here, far below the handler's 60 s idle timeout


@pytest.fixture
def small_sandbox() -> Iterator[Sandbox]:
    with running_sandbox(seed=3, max_body=4096) as sandbox:
        yield sandbox


def _connect(sandbox: Sandbox) -> socket.socket:
    connection = socket.create_connection((sandbox.host, sandbox.port), timeout=NO_HANG)
    return connection


def _exchange(sandbox: Sandbox, raw_request: bytes) -> Tuple[int, bytes]:
    """Send bytes, read until the server closes or the answer is complete; (status, whole answer)."""
    with _connect(sandbox) as connection:
        connection.sendall(raw_request)
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            length = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                break
    return int(received.split(b" ", 2)[1]), received


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk


def _rst_close(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _token_request(sandbox: Sandbox, length_header: bytes, body: bytes = b"") -> bytes:
    path = sandbox.router(1004).url_for("token").split(str(sandbox.port), 1)[1].encode()
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n" + length_header + b"\r\n" + body
    )


@pytest.mark.parametrize(
    "header",
    [b"Content-Length: abc\r\n", b"Content-Length: -5\r\n", b"Content-Length: 0x10\r\n",
     b"Content-Length: 3\r\nContent-Length: 4\r\n"],
    ids=["letters", "negative", "hex", "two-values"],
)
def test_a_malformed_content_length_is_a_400_without_a_traceback(sandbox, header, capfd):
    status, answer = _exchange(sandbox, _token_request(sandbox, header, b"abcd"))
    assert status == 400
    assert b"Content-Length" in answer and b"whole number" in answer
    assert b"connection: close" in answer.lower()
    assert "Traceback" not in capfd.readouterr().err


def test_a_chunked_body_is_refused_rather_than_misread_as_the_next_request(sandbox):
    chunked = _token_request(sandbox, b"Transfer-Encoding: chunked\r\n", b"4\r\nabcd\r\n0\r\n\r\n")
    status, _ = _exchange(sandbox, chunked)
    assert status == 411


def test_an_oversize_body_is_refused_before_it_is_read(small_sandbox):
    with _connect(small_sandbox) as connection:
        # Declare 10 MB, send none of it: the 413 must come back without the server waiting for the body.
        connection.sendall(_token_request(small_sandbox, b"Content-Length: 10485760\r\n"))
        answer = _read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"4096" in answer and b"connection: close" in answer.lower()


def test_an_oversize_body_announced_with_expect_100_is_refused_without_a_100(small_sandbox):
    with _connect(small_sandbox) as connection:
        connection.sendall(_token_request(small_sandbox, b"Expect: 100-continue\r\nContent-Length: 5000\r\n"))
        answer = _read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_body_at_the_limit_is_read_and_answered(small_sandbox):
    body = b"grant_type=client_credentials&x=" + b"y" * (4096 - 32)
    assert len(body) == 4096
    status, answer = _exchange(small_sandbox, _token_request(small_sandbox, b"Content-Length: 4096\r\n", body))
    assert status == 401 and b"invalid_client" in answer  # read and judged, not refused for size


def test_the_default_limit_is_small_enough_that_ten_bodies_stay_far_below_100_mb():
    assert MAX_BODY * 10 < 100 * 1024 * 1024


@pytest.mark.parametrize("stage", ["headers", "body"])
def test_a_client_leaving_early_is_one_quiet_log_line(sandbox, stage, caplog, capfd):
    caplog.set_level(logging.INFO, logger="ledgerflow_xero.sandbox")
    connection = _connect(sandbox)
    if stage == "headers":
        connection.sendall(b"GET /1004/connections HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line yet
    else:
        connection.sendall(_token_request(sandbox, b"Content-Length: 1000\r\n", b"grant_type="))
    time.sleep(0.2)  # let the server block reading the rest
    _rst_close(connection)
    deadline = time.monotonic() + NO_HANG
    while time.monotonic() < deadline and not any("disconnected early" in r.message for r in caplog.records):
        time.sleep(0.05)
    lines = [r.message for r in caplog.records if "disconnected early" in r.message]
    assert len(lines) == 1, [r.message for r in caplog.records]
    assert "ConnectionResetError" in lines[0]
    assert "Traceback" not in capfd.readouterr().err
    # The server carries on answering.
    assert _exchange(sandbox, b"GET /1004/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200


def test_a_client_closing_mid_body_without_a_reset_is_also_quiet(sandbox, caplog, capfd):
    caplog.set_level(logging.INFO, logger="ledgerflow_xero.sandbox")
    with _connect(sandbox) as connection:
        connection.sendall(_token_request(sandbox, b"Content-Length: 1000\r\n", b"grant_type="))
        connection.shutdown(socket.SHUT_WR)
        assert connection.recv(100) == b""  # no answer to a cut-off request
    assert "Traceback" not in capfd.readouterr().err
    assert sum("disconnected early" in r.message for r in caplog.records) == 1


def test_the_slow_fault_delays_by_its_delay_not_the_idle_timeout(sandbox):
    sandbox.faults.add("slow", delay=0.5, path="/.well-known/openid-configuration", times=1)
    started = time.monotonic()
    # A client with no read timeout of its own: before the fix it waited out the 60 s idle timeout.
    status, _ = _exchange(sandbox, b"GET /1004/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n\r\n")
    elapsed = time.monotonic() - started
    assert status == 200
    assert 0.5 <= elapsed < NO_HANG


def test_the_slow_fault_drops_quietly_when_the_client_gave_up(sandbox, caplog, capfd):
    caplog.set_level(logging.INFO, logger="ledgerflow_xero.sandbox")
    fault = sandbox.faults.add("slow", delay=0.5, path="/.well-known/openid-configuration", times=1)
    connection = _connect(sandbox)
    connection.sendall(b"GET /1004/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.1)
    _rst_close(connection)
    deadline = time.monotonic() + NO_HANG
    while time.monotonic() < deadline and not any("dropped" in r.message for r in caplog.records):
        time.sleep(0.05)
    assert fault.hits == 1
    assert any("connection dropped (fault slow)" in r.message for r in caplog.records)
    assert "Traceback" not in capfd.readouterr().err
