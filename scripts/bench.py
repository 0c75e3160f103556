#!/usr/bin/env python3
"""Measure what ledgerflow-xero costs on top of plain xero-python, in one run.

Every figure is a ratio against plain xero-python measured in the same run, with the
variants interleaved (A B C A B C ...) and the median of several rounds reported, so a
busy machine slows all variants alike:

- per request through ``AccountingApi.get_organisations`` against a fast loopback server
  (a separate process that writes each response in a single send, so Nagle/delayed-ACK
  stalls don't swamp the figure): plain xero-python with ``base_url`` on the server,
  ``ledgerflow_xero.ApiClient``, and plain ``ApiClient`` under ``ledgerflow_xero.patch()``;
- ``Router.route()`` alone, ns per call, for each row of the routing table;
- the surface check (``surface.refuse_unserved``, and the whole per-request contract hook
  ``surface.before_request``), ns per call, on routed accounting URLs of served operations;
- import time of ``import ledgerflow_xero`` beyond ``import xero_python.api_client``, each
  measured in fresh interpreters;
- throughput with 8 threads over the 3 sources, plain vs ledgerflow;
- where the routed client's cost goes: the no-socket request with one part of the shim at a
  time swapped for a no-op (this swaps internal names, so it is maintainer tooling).

Targets: the shim's CPU per request <= 1 % of a loopback request, the surface check <= 1 us,
``import ledgerflow_xero`` <= 10 ms beyond xero-python.

    python scripts/bench.py            # the table
    python scripts/bench.py --json     # machine-readable figures
    python scripts/bench.py --quick    # a smoke run (CI): same code paths, tiny counts
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import timeit
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

SOURCES = (1001, 1004, 1009)
# A second plain client measured like the others: its "overhead" is the noise floor of the run.
CONTROL = "plain xero-python again (A/A)"
BENCH_SOURCE = 1004
ORGANISATIONS_BODY = json.dumps(
    {"Id": "bench", "Status": "OK", "Organisations": [{"OrganisationID": "00000000-0000-0000-0000-000000000001",
                                                      "Name": "Bench Org", "Version": "GLOBAL"}]}
).encode()
TOKEN = {
    "access_token": "bench-access-token",
    "refresh_token": "bench-refresh-token",
    "token_type": "Bearer",
    "expires_in": 1800,
    "expires_at": time.time() + 10 * 365 * 86400,
    "scope": ["accounting.settings.read"],
}
TENANT = "00000000-0000-0000-0000-00000000feed"


# --------------------------------------------------------------------------- the server
class _OneSendHttp(asyncio.Protocol):
    """HTTP/1.1 keep-alive responder: each complete request gets one ``write`` of the whole
    response (headers and body together), whatever its path. Counts requests by path."""

    paths: Dict[str, int] = {}

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < head_end + 4 + length:
                return
            self.buffer = self.buffer[head_end + 4 + length :]
            path = head.split(" ", 2)[1].split("?", 1)[0]
            self.paths[path] = self.paths.get(path, 0) + 1
            if path == "/_stats":
                body = json.dumps(self.paths).encode()
            else:
                body = ORGANISATIONS_BODY
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )


def serve() -> None:
    """Run the loopback server on a free port; print the port, serve until stdin closes."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_OneSendHttp, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(main())


class LoopbackServer:
    """The server above in its own process, so it does not share the client's GIL."""

    def __enter__(self) -> LoopbackServer:
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}"
        return self

    def paths(self) -> Dict[str, int]:
        """Requests the server has answered, by path."""
        import urllib3

        return json.loads(urllib3.PoolManager().request("GET", self.url + "/_stats").data)

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


# --------------------------------------------------------------------------- the clients
def plain_api(server_url: str, source: int = BENCH_SOURCE) -> Any:
    """Plain xero-python, its base_url pointed at the server (the path Ledgerflow would use)."""
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id="bench", client_secret="bench")),
                       pool_threads=1, oauth2_token_getter=lambda: TOKEN)
    return AccountingApi(client, base_url=f"{server_url}/{source}/api.xro/2.0")


def ledgerflow_api(server_url: str, source: int = BENCH_SOURCE) -> Any:
    """``ledgerflow_xero.ApiClient`` with the default (Xero) base_url, routed to the server."""
    from xero_python.accounting import AccountingApi
    from xero_python.api_client.oauth2 import OAuth2Token

    import ledgerflow_xero

    configuration = ledgerflow_xero.Configuration(
        oauth2_token=OAuth2Token(client_id="bench", client_secret="bench"), source=source, host=server_url
    )
    client = ledgerflow_xero.ApiClient(configuration, pool_threads=1, oauth2_token_getter=lambda: TOKEN)
    return AccountingApi(client)


def patched_api(server_url: str) -> Any:
    """Plain xero-python with the default (Xero) base_url; routed only while patch() is on."""
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id="bench", client_secret="bench")),
                       pool_threads=1, oauth2_token_getter=lambda: TOKEN)
    return AccountingApi(client)


# --------------------------------------------------------------------------- measurements
def interleaved(variants: Dict[str, Callable[[], Any]], rounds: int) -> Dict[str, List[Any]]:
    """Run each variant once per round, in turn (A B C, B C A, C A B, ...: the order rotates so
    no variant always follows the same one); collect its figures."""
    results: Dict[str, List[Any]] = {name: [] for name in variants}
    names = list(variants)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(variants[name]())
    return results


def answer_canned(pool_manager: Any) -> None:
    """Make urllib3's own ``pool_manager`` answer every request at once with the organisations
    body: its connection pools are swapped for ones that never open a socket, so the whole
    xero-python and urllib3 stack (and the shim's pool guard) runs and the shim's cost shows
    above the noise of a shared machine."""
    import io

    import urllib3

    class CannedPool(urllib3.HTTPConnectionPool):
        def urlopen(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            # What urllib3's own urlopen does around the socket: resolve the request's timeout,
            # take a connection from the pool and put it back (so a pool's own rules are paid).
            self._get_timeout(kwargs.get("timeout"))
            connection = self._get_conn()
            try:
                return urllib3.HTTPResponse(body=io.BytesIO(ORGANISATIONS_BODY), status=200, preload_content=True,
                                            headers={"Content-Type": "application/json; charset=utf-8"})
            finally:
                self._put_conn(connection)

    pool_manager.pool_classes_by_scheme = {"http": CannedPool, "https": CannedPool}


def per_request(server_url: str | None, requests: int, rounds: int) -> Dict[str, Any]:
    """us per get_organisations, wall clock and this process's CPU time, for the three
    variants; against the loopback server, or with ``server_url=None`` the canned pool."""
    import ledgerflow_xero

    url = server_url or "http://127.0.0.1:9"
    plain, control, routed, patched = plain_api(url), plain_api(url), ledgerflow_api(url), patched_api(url)
    if server_url is None:
        for api in (plain, control, routed, patched):
            answer_canned(api.api_client.rest_client.pool_manager)

    def timed(api: Any) -> Tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            api.get_organisations(TENANT)
        return ((time.perf_counter() - wall) / requests * 1e6, (time.process_time() - cpu) / requests * 1e6)

    def under_patch() -> Tuple[float, float]:
        ledgerflow_xero.patch(source=BENCH_SOURCE, host=url)
        try:
            return timed(patched)
        finally:
            ledgerflow_xero.unpatch()

    for api in (plain, control, routed):  # warm the connections and caches
        timed(api)
    under_patch()
    answer = plain.get_organisations(TENANT).organisations[0].name
    assert answer == "Bench Org", answer
    samples = interleaved(
        {"plain xero-python": lambda: timed(plain), CONTROL: lambda: timed(control),
         "ledgerflow ApiClient": lambda: timed(routed),
         "plain ApiClient under patch()": under_patch},
        rounds,
    )
    figures: Dict[str, Any] = {"requests_per_round": requests, "rounds": rounds}
    base = samples["plain xero-python"]
    for clock, index in (("wall", 0), ("cpu", 1)):
        figures[f"{clock}_us_per_request"] = {
            name: statistics.median(value[index] for value in values) for name, values in samples.items()}
        # Each round's ratio to the same round's baseline, then the median: robust to a machine
        # whose speed drifts while other jobs come and go.
        figures[f"{clock}_overhead_percent"] = {
            name: statistics.median((value[index] / plain[index] - 1) * 100 for value, plain in zip(values, base))
            for name, values in samples.items() if name != "plain xero-python"}
        figures[f"{clock}_extra_us"] = {
            name: statistics.median(value[index] - plain[index] for value, plain in zip(values, base))
            for name, values in samples.items() if name != "plain xero-python"}
    figures["samples_us"] = samples
    return figures


@contextlib.contextmanager
def swapped(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name`` replaced by ``value`` inside the block."""
    had = name in vars(owner)
    original = vars(owner).get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


def shim_parts(requests: int, rounds: int) -> Dict[str, Any]:
    """Where the shim's CPU per request goes: the routed ``ApiClient`` on the canned pool,
    measured whole and, in paired rounds, with one part at a time swapped for a no-op. A
    part's cost is the median difference. Maintainer tooling: it swaps internal names."""
    from ledgerflow_xero import client, resilience
    from ledgerflow_xero._xero import XeroApiClient
    from ledgerflow_xero.routing import Router

    api = ledgerflow_api("http://127.0.0.1:9")
    answer_canned(api.api_client.rest_client.pool_manager)
    routed_url = api.api_client.configuration.ledgerflow_router.destination(
        "https://api.xero.com/api.xro/2.0/Organisation")
    pool_manager = api.api_client.rest_client.pool_manager

    @contextlib.contextmanager
    def unguarded() -> Iterator[None]:
        guard = vars(pool_manager).pop("connection_from_host")
        try:
            yield
        finally:
            pool_manager.connection_from_host = guard

    def send_as_is(api_client: Any, request: Any, method: str, url: str, args: Any, kwargs: Any, *_: Any) -> Any:
        return request(method, url, *args, **kwargs)

    parts: Dict[str, Callable[[], Any]] = {
        "routing (Router.destination)": lambda: swapped(Router, "destination", lambda self, url: routed_url),
        "allowlist guard on the pool": unguarded,
        "contract (operation table, tenant header)": lambda: swapped(client, "before_request",
                                                                     lambda *a: a[-1]),
        "transport: all of resilience.send": lambda: swapped(client, "send", send_as_is),
        "  of which the overall deadline": lambda: swapped(resilience, "within_deadline",
                                                           lambda seconds, pair, call: call()),
        "stored-token repair": lambda: swapped(client.ApiClient, "get_oauth2_token",
                                               XeroApiClient.get_oauth2_token),
        "typed errors for non-JSON bodies": lambda: swapped(client.ApiClient, "deserialize",
                                                            XeroApiClient.deserialize),
    }

    def cpu() -> float:
        started = time.process_time()
        for _ in range(requests):
            api.get_organisations(TENANT)
        return (time.process_time() - started) / requests * 1e6

    def without(part: Callable[[], Any]) -> float:
        with part():
            assert api.get_organisations(TENANT).organisations[0].name == "Bench Org"
            return cpu()

    cpu()
    costs: Dict[str, float] = {}
    for name, part in parts.items():
        samples = interleaved({"whole": cpu, "without": lambda part=part: without(part)}, rounds)
        costs[name] = statistics.median(w - o for w, o in zip(samples["whole"], samples["without"]))
    return {"requests_per_round": requests, "rounds": rounds, "us": costs}


def route_rows(rounds: int, number: int) -> Dict[str, Any]:
    """ns per ``Router.route()`` call for a URL under each row of the table."""
    from ledgerflow_xero.errors import RoutingError
    from ledgerflow_xero.routing import ROUTES, UNSUPPORTED_APIS, Router

    router = Router(BENCH_SOURCE)
    suffixes = {"accounting": "/Invoices?page=2", "connections": "", "openid-configuration": "/jwks"}
    urls = {f"{route.name}": route.xero_url + suffixes.get(route.name, "") for route in ROUTES}
    urls["connections (as xero-python writes it)"] = urls["connections"].replace("/connections", "/Connections")
    urls["not Xero (untouched)"] = "http://127.0.0.1:4010/api.xro/2.0/Invoices?page=2"

    def routing(url: str) -> Callable[[], float]:
        def run() -> float:
            return min(timeit.repeat(lambda: router.route(url), number=number, repeat=3)) / number * 1e9
        return run

    def refusing(url: str) -> Callable[[], float]:
        def attempt() -> None:
            try:
                router.route(url)
            except RoutingError:
                return
            raise AssertionError(f"{url} was not refused")

        def run() -> float:
            return min(timeit.repeat(attempt, number=number // 10 or 1, repeat=3)) / (number // 10 or 1) * 1e9
        return run

    variants = {name: routing(url) for name, url in urls.items()}
    variants["empty call (baseline)"] = lambda: min(timeit.repeat(lambda: None, number=number, repeat=3)) / number * 1e9
    for api in UNSUPPORTED_APIS:
        variants[f"{api.name} (refused)"] = refusing(api.xero_url + "/Things")
    samples = interleaved(variants, rounds)
    return {
        "calls_per_sample": number,
        "ns_per_call": {name: statistics.median(values) for name, values in samples.items()},
        "urls": urls,
    }


def surface_check(rounds: int, number: int) -> Dict[str, Any]:
    """ns per call of the check every routed accounting request goes through: served
    operations by concrete path, by template, a report, a PDF; and one refusal (it raises)."""
    from ledgerflow_xero.errors import UnsupportedOperationError
    from ledgerflow_xero.routing import Router
    from ledgerflow_xero.surface import DEFAULT_CONTRACT, before_request, refuse_unserved

    prefix = Router(BENCH_SOURCE).url_for("accounting")
    record = "/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
    served = {
        "GET /Invoices?page=2 (concrete path)": ("GET", prefix + "/Invoices?page=2", "application/json"),
        "GET /Invoices/{InvoiceID} (template)": ("GET", prefix + "/Invoices" + record, "application/json"),
        "GET /Reports/ProfitAndLoss?fromDate=...": ("GET", prefix + "/Reports/ProfitAndLoss?fromDate=2025-01-01",
                                                    "application/json"),
        "GET /CreditNotes/{CreditNoteID} as PDF": ("GET", prefix + "/CreditNotes" + record, "application/pdf"),
    }

    def checking(method: str, url: str, accept: str) -> Callable[[], float]:
        def run() -> float:
            return min(timeit.repeat(lambda: refuse_unserved(method, url, prefix, accept), number=number,
                                     repeat=3)) / number * 1e9
        return run

    def hook() -> float:
        headers = {"xero-tenant-id": TENANT, "Accept": "application/json"}
        url = prefix + "/Invoices" + record
        return min(timeit.repeat(lambda: before_request(DEFAULT_CONTRACT, "GET", url, prefix, headers, print),
                                 number=number, repeat=3)) / number * 1e9

    def refusal() -> float:
        def attempt() -> None:
            try:
                refuse_unserved("PUT", prefix + "/Invoices", prefix, "application/json")
            except UnsupportedOperationError:
                return
            raise AssertionError("PUT /Invoices was not refused")
        count = number // 10 or 1
        return min(timeit.repeat(attempt, number=count, repeat=3)) / count * 1e9

    variants: Dict[str, Callable[[], float]] = {name: checking(*request) for name, request in served.items()}
    variants["before_request() hook: check + tenant header"] = hook
    variants["PUT /Invoices (refused: raises)"] = refusal
    variants["empty call (baseline)"] = lambda: min(timeit.repeat(lambda: None, number=number, repeat=3)) / number * 1e9
    samples = interleaved(variants, rounds)
    return {"calls_per_sample": number, "ns_per_call": {name: statistics.median(v) for name, v in samples.items()}}


_IMPORT_PROBE = (
    "import time; t0 = time.perf_counter(); import xero_python.api_client; t1 = time.perf_counter(); "
    "import ledgerflow_xero; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)


def import_overhead(rounds: int) -> Dict[str, Any]:
    """In each of ``rounds`` fresh interpreters: the time to ``import xero_python.api_client``,
    then the time ``import ledgerflow_xero`` adds on top of it (what a program that already
    uses xero-python pays). Timing the second import directly, rather than subtracting two
    separately timed interpreters, keeps the start-up noise of each process out of it."""

    # An installed package has its bytecode compiled; let the warm-up write it here too.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

    def probe() -> Tuple[float, float]:
        out = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], check=True, capture_output=True, text=True,
                             env=env).stdout
        xero, ours = (float(value) * 1e3 for value in out.split())
        return xero, ours

    probe()  # write the bytecode caches first
    samples = [probe() for _ in range(rounds)]
    return {
        "rounds": rounds,
        "ms": {"xero_python.api_client": statistics.median(xero for xero, _ in samples),
               "ledgerflow_xero, after it": statistics.median(ours for _, ours in samples)},
        "overhead_ms": statistics.median(ours for _, ours in samples),
    }


def throughput(server: LoopbackServer, threads: int, requests: int, rounds: int) -> Dict[str, Any]:
    """Requests per second with ``threads`` threads, thread i on source SOURCES[i % 3]."""

    def run(make: Callable[[str, int], Any]) -> Callable[[], float]:
        apis = [make(server.url, SOURCES[i % len(SOURCES)]) for i in range(threads)]

        def go() -> float:
            barrier = threading.Barrier(threads + 1)

            def work(api: Any) -> None:
                barrier.wait()
                for _ in range(requests):
                    api.get_organisations(TENANT)

            workers = [threading.Thread(target=work, args=(api,)) for api in apis]
            for worker in workers:
                worker.start()
            barrier.wait()
            start = time.perf_counter()
            for worker in workers:
                worker.join()
            return threads * requests / (time.perf_counter() - start)
        return go

    variants = {"plain xero-python": run(plain_api), "ledgerflow ApiClient": run(ledgerflow_api)}
    for go in variants.values():
        go()
    samples = interleaved(variants, rounds)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratios = [ours / theirs for ours, theirs in zip(samples["ledgerflow ApiClient"], samples["plain xero-python"])]
    return {"threads": threads, "sources": list(SOURCES), "requests_per_thread": requests, "rounds": rounds,
            "requests_per_second": medians, "ratio": statistics.median(ratios)}


# --------------------------------------------------------------------------- output
def machine() -> Dict[str, Any]:
    import urllib3
    import xero_python

    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "xero_python": xero_python.__version__, "urllib3": urllib3.__version__}


def table(figures: Dict[str, Any]) -> str:
    lines: List[str] = []
    add = lines.append
    m = figures["machine"]
    add(f"machine: {m['cpus']} CPUs, Python {m['python']} ({m['platform']}), "
        f"xero-python {m['xero_python']}, urllib3 {m['urllib3']}")
    for key, title in (("per_request", "over a loopback server that answers in one send"),
                       ("per_request_no_socket", "with a canned in-process answer (no socket: the shim's cost alone)")):
        r = figures[key]
        add(f"\nper request, get_organisations {title}\n(median of {r['rounds']} rounds x "
            f"{r['requests_per_round']} requests; wall clock, and this process's CPU time):")
        for name in r["wall_us_per_request"]:
            line = f"  {name:32s}"
            for clock in ("wall", "cpu"):
                value = r[f"{clock}_us_per_request"][name]
                extra = r[f"{clock}_overhead_percent"].get(name)
                line += f" {clock} {value:7.1f} us " + (f"{extra:+6.2f} %" if extra is not None else "(baseline)")
            add(line)
    add("\nthe shim's own cost per request (CPU, no socket; median of paired rounds) against a loopback request:")
    for name, cost in figures["shim_cost"].items():
        add(f"  {name:32s} {cost['us']:+6.2f} us = {cost['percent_of_loopback_request']:+5.2f} % of "
            f"{figures['per_request']['wall_us_per_request']['plain xero-python']:.0f} us")
    sp = figures["shim_parts"]
    add(f"\nwhere the ledgerflow ApiClient's cost goes (each part swapped for a no-op in turn; median of "
        f"{sp['rounds']} paired rounds x {sp['requests_per_round']} requests):")
    for name, value in sp["us"].items():
        add(f"  {name:44s} {value:+6.2f} us")
    ro = figures["route"]
    add(f"\nRouter.route() per table row (median, {ro['calls_per_sample']} calls per sample):")
    for name, value in ro["ns_per_call"].items():
        add(f"  {name:40s} {value:7.0f} ns")
    su = figures["surface"]
    add(f"\nsurface check per routed accounting request (median, {su['calls_per_sample']} calls per sample):")
    for name, value in su["ns_per_call"].items():
        add(f"  {name:48s} {value:7.0f} ns")
    im = figures["import"]
    add(f"\nimport time, each in {im['rounds']} fresh interpreters (median):")
    for name, value in im["ms"].items():
        add(f"  import {name:30s} {value:7.1f} ms")
    add(f"  {'overhead of import ledgerflow_xero':37s} {im['overhead_ms']:+7.1f} ms")
    th = figures["throughput"]
    add(f"\nthroughput, {th['threads']} threads over sources {th['sources']} "
        f"(median of {th['rounds']} rounds x {th['requests_per_thread']} requests per thread):")
    for name, value in th["requests_per_second"].items():
        add(f"  {name:32s} {value:9.0f} req/s")
    add(f"  {'ledgerflow / plain':32s} {th['ratio']:9.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny counts (for CI)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    if args.quick:
        sizes: Tuple[int, ...] = (4, 20, 3, 2000, 2, 2, 10)
    else:
        sizes = (44, 250, 9, 200_000, 15, 6, 300)  # rounds a multiple of the variants: each leads equally often
    rounds, requests, route_rounds, route_calls, import_rounds, tp_rounds, tp_requests = sizes
    figures: Dict[str, Any] = {"machine": machine(), "quick": args.quick}
    figures["per_request_no_socket"] = per_request(None, requests * 2, rounds)
    with LoopbackServer() as server:
        figures["per_request"] = per_request(server.url, requests, rounds)
        figures["throughput"] = throughput(server, 8, tp_requests, tp_rounds)
        figures["server_paths"] = server.paths()
    # The shim's own CPU cost per request (no socket), as a share of a real loopback request.
    loopback = figures["per_request"]["wall_us_per_request"]["plain xero-python"]
    figures["shim_cost"] = {
        name: {"us": extra, "percent_of_loopback_request": extra / loopback * 100}
        for name, extra in figures["per_request_no_socket"]["cpu_extra_us"].items()
        if name != CONTROL
    }
    figures["shim_parts"] = shim_parts(requests, rounds)
    figures["route"] = route_rows(route_rounds, route_calls)
    figures["surface"] = surface_check(route_rounds, route_calls)
    figures["import"] = import_overhead(import_rounds)
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
