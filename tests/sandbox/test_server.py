"""The sandbox serves exactly the routing table's paths, its discovery documents, forwarding to an
accounting upstream, and the pytest fixture users get."""

from __future__ import annotations

from typing import Iterator

import pytest

from ledgerflow_xero import SandboxConfigError, Source
from ledgerflow_xero.oauth import endpoints
from ledgerflow_xero.routing import ROUTES, XERO_JWKS_URL, route
from ledgerflow_xero.sandbox import parse_client_spec, running_sandbox
from ledgerflow_xero.sandbox.accounting import PLACEHOLDER_BEARER, validate_upstream

from ..support import LoopbackServer, run_loopback_server


@pytest.mark.parametrize("source", list(Source), ids=lambda s: str(int(s)))
def test_every_routed_xero_url_reaches_a_sandbox_endpoint(raw, source):
    for xero_route in ROUTES:
        url = route(xero_route.xero_url, source, raw.sandbox.base_url)
        answer = raw.send("GET", url)
        # No endpoint is a 404: authorize refuses the missing client (400), POST-only ones 405,
        # protected ones 401, discovery 200.
        assert answer.status != 404, (xero_route.name, url, answer.body)
    jwks = raw.send("GET", route(XERO_JWKS_URL, source, raw.sandbox.base_url))
    assert jwks.status == 200 and jwks.json["keys"][0]["alg"] == "RS256"


def test_discovery_documents_publish_the_routed_urls(raw):
    source = Source.QUICKBOOKS_ONLINE
    expected = endpoints(source, raw.sandbox.base_url)
    for path in (raw.url(source, "openid-configuration"),
                 raw.sandbox.base_url + "/1004/.well-known/oauth-authorization-server",
                 raw.sandbox.base_url + "/.well-known/oauth-authorization-server/1004"):
        document = raw.send("GET", path)
        assert document.status == 200, path
        metadata = document.json
        assert metadata["issuer"] == raw.sandbox.base_url + "/1004"
        assert metadata["authorization_endpoint"] == expected.authorize_url
        assert metadata["token_endpoint"] == expected.token_url
        assert metadata["revocation_endpoint"] == expected.revocation_url
        assert metadata["jwks_uri"] == expected.jwks_uri
        assert metadata["code_challenge_methods_supported"] == ["S256"]


def test_seed_makes_ids_repeatable_and_no_seed_does_not():
    with running_sandbox(seed=42) as first, running_sandbox(seed=42) as second, running_sandbox() as third:
        assert first.organisation(1004).tenant_id == second.organisation(1004).tenant_id
        assert first.organisation(1004).collections["Invoices"] == second.organisation(1004).collections["Invoices"]
        assert third.organisation(1004).tenant_id != first.organisation(1004).tenant_id
        assert third.organisation(1004).name == first.organisation(1004).name


def test_client_specs_split_on_the_first_two_colons():
    with pytest.raises(SandboxConfigError) as refused:
        parse_client_spec("app:pa:zz:http://localhost:8080/callback")  # a colon in the secret
    assert "zz" not in str(refused.value)
    client = parse_client_spec("app:secret:http://localhost:8080/callback")
    assert client.redirect_uris == ("http://localhost:8080/callback",)
    assert client.secret_matches("secret") and not client.secret_matches("other")
    assert "secret" not in repr(client)
    public = parse_client_spec("spa::http://localhost:3000/cb")
    assert public.is_public and public.secret_matches(None)


def test_a_public_client_must_use_pkce(http):
    from .conftest import Raw

    with running_sandbox(clients=[parse_client_spec("spa::http://localhost:3000/cb")]) as sandbox:
        raw = Raw(sandbox, http)
        base = {"client_id": "spa", "redirect_uri": "http://localhost:3000/cb"}
        without = raw.authorize(1004, verifier=None, **base)
        assert without.location_query["error"] == "invalid_request"
        code = raw.authorize(1004, **base).location_query["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:3000/cb",
                "code_verifier": "v" * 20 + "-verifier-" + "x" * 20, "client_id": "spa"}
        answer = raw.send("POST", raw.url(1004, "token"), fields=form, encode_multipart=False)
        assert answer.status == 200 and "refresh_token" in answer.json


@pytest.fixture
def upstream() -> Iterator[LoopbackServer]:
    """A loopback stand-in for Prism that records what it was sent."""
    yield from run_loopback_server(default=lambda _request: (200, {"Quotes": [{"QuoteNumber": "QU-1"}]}))


def test_unserved_operations_are_forwarded_only_with_the_flag_and_never_with_the_callers_bearer(
    http, upstream: LoopbackServer
):
    from .conftest import Raw

    url = upstream.base_url + "/mock"
    with running_sandbox(accounting_upstream=url) as sandbox:  # no forward_unserved: refused
        raw = Raw(sandbox, http)
        answer = raw.api(1004, "/Quotes", raw.tokens(1004)["access_token"], sandbox.books(1004).tenant_id)
        assert answer.status == 404 and "get_quotes" in answer.json["Detail"] and not upstream.requests
    with running_sandbox(accounting_upstream=url, forward_unserved=True) as sandbox:
        raw = Raw(sandbox, http)
        tokens = raw.tokens(1004)
        tenant_id = sandbox.organisation(1004).tenant_id
        answer = raw.api(1004, "/Quotes?page=2", tokens["access_token"], tenant_id)
        assert answer.status == 200 and answer.json["Quotes"][0]["QuoteNumber"] == "QU-1"
        forwarded = upstream.requests[0]
        assert forwarded.target == "/mock/Quotes?page=2"
        assert forwarded.headers["xero-tenant-id"] == tenant_id
        assert forwarded.headers["authorization"] == f"Bearer {PLACEHOLDER_BEARER}"
        assert tokens["access_token"] not in str(dict(forwarded.headers)) + forwarded.target
        refused = raw.api(1004, "/Quotes", tokens["access_token"], sandbox.organisation(1009).tenant_id)
        assert refused.status == 403 and len(upstream.requests) == 1  # checks come before forwarding
        built_in = raw.api(1004, "/Organisation", tokens["access_token"], tenant_id)
        assert built_in.json["Organisations"][0]["OrganisationID"] == tenant_id and len(upstream.requests) == 1


def test_forwarding_unserved_operations_needs_an_upstream():
    with pytest.raises(SandboxConfigError, match="upstream"):
        running_sandbox(forward_unserved=True).__enter__()


@pytest.mark.parametrize("url", ["https://api.xero.com/api.xro/2.0", "ftp://127.0.0.1/x", "127.0.0.1:4010"])
def test_an_upstream_on_xero_or_not_http_is_refused(url):
    with pytest.raises(SandboxConfigError, match="upstream"):
        validate_upstream(url)


def test_the_pytest_fixture_users_get(ledgerflow_sandbox, http):
    """The fixture comes from the package's pytest11 entry point: no import, no conftest."""
    assert ledgerflow_sandbox.base_url.startswith("http://127.0.0.1:")
    answer = http.request("GET", ledgerflow_sandbox.router(1009).url_for("openid-configuration"))
    assert answer.status == 200
    assert ledgerflow_sandbox.client_id in ledgerflow_sandbox.clients


def test_stopping_ends_keep_alive_connections(http):
    with running_sandbox() as sandbox:
        url = sandbox.router(1004).url_for("openid-configuration")
        assert http.request("GET", url).status == 200  # leaves a kept-alive connection in the pool
    with pytest.raises(Exception):  # noqa: B017 - urllib3's error class depends on where the reset lands
        http.request("GET", url, retries=False)
