"""``ledgerflow-xero demo``: the library's main job, end to end, with the public API only.

With no arguments it starts the local sandbox in-process and, for sources 1001, 1004 and
1009, signs in (authorize URL with PKCE, consent redirect, code exchange, id-token
validation), then drives xero-python's unchanged ``IdentityApi`` and ``AccountingApi``
through :class:`ledgerflow_xero.ApiClient`: connections, the organisation, the first page of
invoices, a forced token refresh, and revocation. With ``--host`` it walks a real Ledgerflow
instead: it prints the login URL and reads the redirect you paste back.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, TextIO, Tuple
from urllib.parse import parse_qs, urlsplit

from .configuration import Configuration
from .errors import LedgerflowError
from .sources import Source, parse_source

DEMO_SCOPE = "openid profile email offline_access accounting.transactions.read accounting.settings.read"
SYSTEM_NAMES: Dict[int, str] = {
    Source.SAGE_DESKTOP_UK: "Sage Desktop (UK)",
    Source.QUICKBOOKS_ONLINE: "QuickBooks Online",
    Source.SAGE_ACCOUNTING: "Sage Accounting",
}


@dataclass
class SourceResult:
    """What the journey achieved for one source: one row of the final table."""

    source: int
    organisation: str = "-"
    invoices_read: int | None = None
    signed_in: bool = False
    refresh_ok: bool = False
    revoke_ok: bool = False
    failures: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.signed_in
            and self.invoices_read is not None
            and self.refresh_ok
            and self.revoke_ok
            and not self.failures
        )


@dataclass
class DemoSettings:
    """Where the demo signs in and with which app."""

    host: str
    client_id: str
    client_secret: str | None
    redirect_uri: str
    scope: str
    follow_consent: Callable[[str], str]  # authorize URL -> the URL the browser was sent back to


def _say(out: TextIO, source: int, message: str) -> None:
    print(f"[{source}] {message}", file=out, flush=True)


def _code_and_state(redirected_to: str) -> Tuple[str, str | None]:
    query = parse_qs(urlsplit(redirected_to.strip()).query)
    if "error" in query:
        raise RuntimeError(f"sign-in refused: {query['error'][0]} ({query.get('error_description', [''])[0]})")
    if "code" not in query:
        raise RuntimeError("the redirect URL carries no code")
    return query["code"][0], query.get("state", [None])[0]


def run_source(settings: DemoSettings, source: int, out: TextIO) -> SourceResult:
    """The whole journey for one source, as a user's program would write it."""
    from xero_python.accounting import AccountingApi
    from xero_python.api_client.oauth2 import OAuth2Token
    from xero_python.identity import IdentityApi

    from . import ApiClient, authorization_url, exchange_code, validate_id_token

    result = SourceResult(source)

    def step(name: str, action: Callable[[], Any]) -> Any:
        try:
            value = action()
        except Exception as error:  # the demo reports every failure and carries on to the table
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            result.failures.append(f"{name}: {detail}")
            _say(out, source, f"{name}: FAILED ({type(error).__name__}: {detail[:200]})")
            raise
        return value

    try:
        nonce = secrets.token_urlsafe(16)
        login = step(
            "authorize URL",
            lambda: authorization_url(
                settings.client_id,
                settings.redirect_uri,
                settings.scope,
                source=source,
                host=settings.host,
                nonce=nonce,
            ),
        )
        _say(out, source, f"login URL built: {login.url.split('?', 1)[0]} (PKCE S256, state, nonce)")
        redirected = step("consent", lambda: settings.follow_consent(login.url))
        code, returned_state = step("callback", lambda: _code_and_state(redirected))
        _say(out, source, "consent given, redirected back with a code")
        tokens = step(
            "code exchange",
            lambda: exchange_code(
                code,
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                redirect_uri=settings.redirect_uri,
                source=source,
                host=settings.host,
                code_verifier=login.code_verifier,
                expected_state=login.state,
                returned_state=returned_state,
            ),
        )
        _say(
            out,
            source,
            f"code exchanged: access token for {tokens['expires_in']} s, scope {len(tokens['scope'])} items",
        )
        claims = step(
            "id token",
            lambda: validate_id_token(
                tokens["id_token"], client_id=settings.client_id, source=source, host=settings.host, nonce=nonce
            ),
        )
        _say(out, source, f"id token valid (RS256, issuer {claims['iss']})")
        result.signed_in = True

        store: Dict[str, Any] = {"token": dict(tokens)}
        api_client = ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(client_id=settings.client_id, client_secret=settings.client_secret),
                source=source,
                host=settings.host,
            ),
            pool_threads=1,
            oauth2_token_getter=lambda: store["token"],
            oauth2_token_saver=lambda token: store.__setitem__("token", token),
        )
        connections = step("connections", lambda: IdentityApi(api_client).get_connections())
        if not connections:
            raise RuntimeError("no connections")
        tenant_id = connections[0].tenant_id
        _say(out, source, f"{len(connections)} connection(s): {connections[0].tenant_name}")
        accounting: Any = AccountingApi(api_client)  # xero-python is untyped: its inferred unions mislead checkers
        organisation = step("organisation", lambda: accounting.get_organisations(tenant_id).organisations[0])
        result.organisation = organisation.name
        _say(out, source, f"organisation: {organisation.name} ({organisation.base_currency.value})")
        invoices = step("invoices", lambda: accounting.get_invoices(tenant_id, page=1))
        result.invoices_read = len(invoices.invoices)
        pagination = invoices.pagination
        total = f" of {pagination.item_count}" if pagination is not None and pagination.item_count else ""
        _say(out, source, f"invoices page 1: {result.invoices_read}{total}")

        old_refresh_token = store["token"]["refresh_token"]
        refreshed = step("refresh", lambda: api_client.refresh_oauth2_token())
        if not refreshed.get("access_token") or refreshed.get("refresh_token") in (None, old_refresh_token):
            raise RuntimeError("refresh did not rotate the tokens")
        step("call after refresh", lambda: accounting.get_organisations(tenant_id))
        result.refresh_ok = True
        _say(out, source, "refresh forced: new access and refresh tokens work")

        revoked_access_token = store["token"]["access_token"]
        step("revoke", lambda: api_client.revoke_oauth2_token())
        store["token"] = dict(tokens, access_token=revoked_access_token)  # try the revoked token once more
        try:
            still_connected = IdentityApi(api_client).get_connections()
        except Exception as refusal:  # the API refusing the token is what revocation should cause
            still_connected = [] if getattr(refusal, "status", None) in (401, 403) else None
        if still_connected:
            raise RuntimeError("connections still listed after revocation")
        if still_connected is None:
            raise RuntimeError("could not check the revocation")
        result.revoke_ok = True
        _say(out, source, "revoked: the old token no longer lists connections")
    except Exception as error:
        if not result.failures:
            result.failures.append(str(error) or type(error).__name__)
            _say(out, source, f"FAILED: {error}")
    return result


def format_table(results: List[SourceResult]) -> str:
    """The closing table: source, system, organisation, invoices read, refresh ok, revoke ok."""
    header = ("source", "system", "organisation", "invoices read", "refresh ok", "revoke ok")
    rows = [
        (
            str(int(r.source)),
            SYSTEM_NAMES.get(r.source, "?"),
            r.organisation,
            "-" if r.invoices_read is None else str(r.invoices_read),
            "yes" if r.refresh_ok else "NO",
            "yes" if r.revoke_ok else "NO",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


@contextlib.contextmanager
def _local_settings(scope: str) -> Iterator[DemoSettings]:
    import urllib3

    from .sandbox import running_sandbox  # raises MissingExtraError, naming the extra, when PyJWT is absent

    pool = urllib3.PoolManager(retries=False)

    def follow_consent(url: str) -> str:
        # The browser's part: open the login URL; the sandbox consents and redirects at once.
        answer = pool.request("GET", url, redirect=False)
        if answer.status != 302:
            raise RuntimeError(f"the authorize endpoint answered {answer.status}, not a redirect")
        return answer.headers["Location"]

    with running_sandbox() as sandbox:
        yield DemoSettings(
            sandbox.base_url, sandbox.client_id, sandbox.client_secret, sandbox.redirect_uri, scope, follow_consent
        )


def _pasted_redirect(out: TextIO, stdin: TextIO) -> Callable[[str], str]:
    def follow_consent(url: str) -> str:
        print("Open this URL in a browser, sign in and consent:", file=out)
        print(url, file=out)
        print("Then paste the full URL your browser was sent back to, and press Enter:", file=out, flush=True)
        line = stdin.readline()
        if not line.strip():
            raise RuntimeError("no redirect URL was pasted")
        return line

    return follow_consent


def run_demo(args: argparse.Namespace, out: TextIO = sys.stdout, stdin: TextIO = sys.stdin) -> int:
    """Run the journey for each source, print the table; 0 only when every step passed."""
    started = time.perf_counter()
    if args.host:
        missing = [flag for flag, value in (("--client-id", args.client_id), ("--source", args.source)) if not value]
        if missing:
            raise LedgerflowError(f"with --host the demo also needs {' and '.join(missing)}")
        settings_cm: Any = contextlib.nullcontext(
            DemoSettings(
                args.host,
                args.client_id,
                args.client_secret,
                args.redirect_uri,
                args.scope,
                _pasted_redirect(out, stdin),
            )
        )
        sources = [parse_source(s) for s in args.source]
    else:
        settings_cm = _local_settings(args.scope)
        sources = [parse_source(s) for s in args.source] if args.source else list(Source)
    with settings_cm as settings:
        where = "the local sandbox" if not args.host else "Ledgerflow"
        print(
            f"ledgerflow-xero demo: signing in to {where} at {settings.host} for sources "
            f"{', '.join(str(int(s)) for s in sources)}",
            file=out,
            flush=True,
        )
        results = [run_source(settings, source, out) for source in sources]
    print(file=out)
    print(format_table(results), file=out)
    passed = all(r.passed for r in results)
    print(
        f"\n{'all steps passed' if passed else 'SOME STEPS FAILED'} in {time.perf_counter() - started:.2f} s",
        file=out,
        flush=True,
    )
    return 0 if passed else 1


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    from .sandbox.clients import DEMO_REDIRECT_URI

    parser = subparsers.add_parser(
        "demo",
        help="sign in and read QuickBooks and Sage data with xero-python, end to end (local sandbox by default)",
        description="Walk the whole journey — sign-in with PKCE, id token validation, connections, organisation, "
        "invoices, token refresh, revocation — with xero-python's own API classes. Without --host it runs "
        "against a local sandbox started in-process, for sources 1001, 1004 and 1009.",
    )
    parser.add_argument("--host", default=None, help="a real Ledgerflow host, e.g. https://xero.api.ledgerscope.com")
    parser.add_argument("--client-id", default=None, help="your Ledgerflow app's client id (with --host)")
    parser.add_argument("--client-secret", default=None, help="its secret (leave out for a PKCE-only app)")
    parser.add_argument(
        "--redirect-uri",
        default=DEMO_REDIRECT_URI,
        help=f"the app's registered redirect URI (default {DEMO_REDIRECT_URI})",
    )
    parser.add_argument("--source", action="append", default=[], help="source id or name (repeatable)")
    parser.add_argument("--scope", default=DEMO_SCOPE, help=f'scopes to ask for (default "{DEMO_SCOPE}")')
    parser.set_defaults(handler=run_demo)
