"""Every row of the routing table, for every source, and every refusal."""

import pytest

from ledgerflow_xero import (
    DEFAULT_HOST,
    InvalidHostError,
    InvalidSourceError,
    LedgerflowError,
    Router,
    RoutingError,
    Source,
    UnsupportedApiError,
    route,
)
from ledgerflow_xero.routing import ROUTES, UNSUPPORTED_APIS, XERO_JWKS_URL, XERO_URLS, validate_host

LEDGERFLOW = "https://xero.api.ledgerscope.com"

# Written out in full, independently of the table, so a wrong table row fails here.
EXPECTED_ROWS = [
    ("https://login.xero.com/identity/connect/authorize", "/identity/connect/authorize"),
    ("https://identity.xero.com/connect/token", "/connect/token"),
    ("https://identity.xero.com/connect/revocation", "/connect/revocation"),
    ("https://identity.xero.com/.well-known/openid-configuration", "/.well-known/openid-configuration"),
    ("https://identity.xero.com/.well-known/openid-configuration/jwks", "/.well-known/openid-configuration/jwks"),
    ("https://api.xero.com/connections", "/connections"),
    ("https://api.xero.com/Connections", "/connections"),
    ("https://api.xero.com/Connections/b1a5a3c6", "/connections/b1a5a3c6"),
    ("https://api.xero.com/api.xro/2.0/Invoices", "/api.xro/2.0/Invoices"),
    ("https://api.xero.com/api.xro/2.0/Invoices/3d1f-44/Attachments", "/api.xro/2.0/Invoices/3d1f-44/Attachments"),
    ("https://api.xero.com/api.xro/2.0", "/api.xro/2.0"),
]
SOURCES = [Source.SAGE_DESKTOP_UK, Source.QUICKBOOKS_ONLINE, Source.SAGE_ACCOUNTING]
QUERIES = ["", "?page=2&where=Status%3D%3D%22PAID%22&order=Date%20DESC", "?summaryOnly=true#frag", "?x=/a/../b"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: str(int(s)))
@pytest.mark.parametrize("xero_url, ledgerflow_path", EXPECTED_ROWS)
@pytest.mark.parametrize("query", QUERIES)
def test_each_row_maps_to_the_source_segment_and_keeps_the_query(source, xero_url, ledgerflow_path, query):
    assert route(xero_url + query, source) == f"{LEDGERFLOW}/{int(source)}{ledgerflow_path}{query}"


def test_the_table_covers_the_documented_rows_and_nothing_else():
    assert {r.name for r in ROUTES} == {
        "authorize",
        "token",
        "revocation",
        "openid-configuration",
        "connections",
        "accounting",
    }
    assert XERO_JWKS_URL == "https://identity.xero.com/.well-known/openid-configuration/jwks"
    assert XERO_URLS["token"] == "https://identity.xero.com/connect/token"


def test_url_for_gives_each_endpoint_for_a_source_and_host():
    router = Router(1009, "http://127.0.0.1:8080")
    assert router.url_for("token") == "http://127.0.0.1:8080/1009/connect/token"
    assert router.url_for("authorize") == "http://127.0.0.1:8080/1009/identity/connect/authorize"
    assert router.url_for("accounting") == "http://127.0.0.1:8080/1009/api.xro/2.0"
    with pytest.raises(RoutingError, match="payroll"):
        router.url_for("payroll")


def test_hosts_and_prefixes_match_whatever_their_case():
    assert route("HTTPS://API.XERO.COM/API.XRO/2.0/Invoices", 1004) == f"{LEDGERFLOW}/1004/api.xro/2.0/Invoices"
    assert route("https://Identity.Xero.Com./connect/token", 1004) == f"{LEDGERFLOW}/1004/connect/token"
    assert route("https://api.xero.com:443/api.xro/2.0/Items", 1004) == f"{LEDGERFLOW}/1004/api.xro/2.0/Items"


def test_the_accounting_switch_drops_only_the_accounting_source_segment():
    kwargs = {"source_in_accounting_path": False}
    assert route("https://api.xero.com/api.xro/2.0/Invoices", 1004, **kwargs) == f"{LEDGERFLOW}/api.xro/2.0/Invoices"
    assert route("https://api.xero.com/Connections", 1004, **kwargs) == f"{LEDGERFLOW}/1004/connections"
    assert route("https://identity.xero.com/connect/token", 1004, **kwargs) == f"{LEDGERFLOW}/1004/connect/token"


def test_other_hosts_pass_untouched():
    for url in [
        "http://127.0.0.1:4010/Invoices?page=1",
        "https://xero.api.ledgerscope.com/1004/connections",
        "https://example.com/api.xro/2.0/Invoices",
        "https://notxero.com/api.xro/2.0",
        "https://xero.com.evil.example/api.xro/2.0",
    ]:
        assert route(url, 1004) == url


@pytest.mark.parametrize("api", UNSUPPORTED_APIS, ids=lambda api: api.name)
def test_unsupported_apis_are_refused_by_name_unless_opted_in(api):
    url = api.xero_url + "/Employees?page=1"
    with pytest.raises(UnsupportedApiError) as caught:
        route(url, 1004)
    assert caught.value.api == api.name
    assert api.name in str(caught.value) and "allow_unsupported_apis" in str(caught.value)
    assert isinstance(caught.value, RoutingError) and isinstance(caught.value, LedgerflowError)
    xero_path = api.xero_url.split("api.xero.com", 1)[1]
    routed = route(url, 1004, allow_unsupported_apis=True)
    assert routed == f"{LEDGERFLOW}/1004{xero_path}/Employees?page=1"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.xero.com/",
        "https://api.xero.com",
        "https://api.xero.com/api.xro/3.0/Invoices",
        "https://api.xero.com/api.xro/2.0x/Invoices",
        "https://api.xero.com/connectionsX",
        "https://identity.xero.com/connect/authorize",
        "https://identity.xero.com/connect/userinfo",
        "https://login.xero.com/identity/connect/token",
        "https://go.xero.com/app",
        "https://xero.com/api.xro/2.0/Invoices",
        "https://api.xero.com/api.xro/2.0/../../payroll.xro/1.0",
        "https://api.xero.com/api.xro/2.0/%2E%2E/payroll.xro/1.0",
        "https://api.xero.com/api.xro/2.0/Invoices/./x",
        "https://api.xero.com/api.xro/2.0\\..\\payroll.xro",
        "https://user:pw@api.xero.com/api.xro/2.0/Invoices",
        "api.xero.com/api.xro/2.0/Invoices",
        "//api.xero.com/api.xro/2.0/Invoices",
        "ftp://api.xero.com/api.xro/2.0/Invoices",
    ],
)
def test_xero_urls_the_table_cannot_map_are_refused(url):
    with pytest.raises(RoutingError) as caught:
        route(url, 1004)
    assert "Xero URL" in str(caught.value)
    assert "pw@" not in str(caught.value)


def test_refusals_do_not_echo_query_strings():
    with pytest.raises(RoutingError) as caught:
        route("https://api.xero.com/nope?access_token=s3cret", 1004)
    assert "s3cret" not in str(caught.value)
    assert "https://api.xero.com/nope" in str(caught.value)


@pytest.mark.parametrize(
    "host, normalised",
    [
        ("https://xero.api.ledgerscope.com", "https://xero.api.ledgerscope.com"),
        ("https://xero.api.ledgerscope.com/", "https://xero.api.ledgerscope.com"),
        ("https://XERO.api.ledgerscope.DEV", "https://xero.api.ledgerscope.dev"),
        ("https://ledgerflow.partner.example:8443/proxy", "https://ledgerflow.partner.example:8443/proxy"),
        ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
        ("http://127.8.0.1:4010", "http://127.8.0.1:4010"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_accepted_hosts(host, normalised):
    assert validate_host(host) == normalised
    assert route("https://identity.xero.com/connect/token", 1004, host) == f"{normalised}/1004/connect/token"


@pytest.mark.parametrize(
    "host, why",
    [
        ("http://xero.api.ledgerscope.com", "http on a non-loopback"),
        ("http://10.0.0.5:8080", "http on a non-loopback"),
        ("ftp://xero.api.ledgerscope.com", "not an http"),
        ("xero.api.ledgerscope.com", "not an http"),
        ("https://", "not an http"),
        ("https://x@evil.example", "user info"),
        ("https://xero.api.ledgerscope.com?x=1", "query"),
        ("https://xero.api.ledgerscope.com#x", "query"),
        ("https://xero.api.ledgerscope.com/../admin", "malformed path"),
        ("https://bad_host.example", "malformed host"),
        ("https://-bad.example", "malformed host"),
        ("https://xero.api.ledgerscope.com:0", "malformed port"),
        ("https://xero.api.ledgerscope.com:99999", "malformed port"),
        ("https://xero.api.ledgerscope.com:https", "malformed port"),
        ("https://[::zz]:80", "IPv6"),
        (" https://xero.api.ledgerscope.com", "white space"),
        ("https://xero.api.ledgerscope.com\n", "white space"),
        ("https://api.xero.com", "Xero host"),
        ("https://identity.XERO.com.", "Xero host"),
        (None, "string"),
    ],
)
def test_refused_hosts_name_the_value_and_the_rule(host, why):
    with pytest.raises(InvalidHostError) as caught:
        validate_host(host)
    assert why in str(caught.value)
    if host is not None and "@" not in host:
        assert repr(host) in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "call",
    [
        lambda: validate_host("https://user:s3cret-pw@ledgerflow.example"),
        lambda: route("https://user:s3cret-pw@api.xero.com/api.xro/2.0/Invoices", 1004),
        lambda: route("https://api.xero.com/nope?access_token=s3cret-pw", 1004),
        lambda: route("https://user:s3cret-pw@api.xero.com/payroll.xro/1.0/Employees?x=s3cret-pw", 1004),
        lambda: Router(1004).check_destination("user:s3cret-pw@evil.example"),
    ],
)
def test_no_message_echoes_user_info_or_a_query_string(call):
    with pytest.raises(LedgerflowError) as caught:
        call()
    assert "s3cret-pw" not in str(caught.value) and "s3cret-pw" not in repr(caught.value)


def test_long_values_are_cut_short_in_messages():
    with pytest.raises(InvalidHostError) as caught:
        validate_host("https://" + "a" * 5000 + ".example")
    assert len(str(caught.value)) < 300


def test_route_validates_source_and_host_before_mapping():
    with pytest.raises(InvalidSourceError):
        route("https://api.xero.com/Connections", "1234")
    with pytest.raises(InvalidHostError):
        route("https://api.xero.com/Connections", 1004, "http://ledgerflow.example")
    with pytest.raises(InvalidSourceError):
        route("https://api.xero.com/Connections", ["1004"])


def test_default_host_is_the_documented_service():
    assert DEFAULT_HOST == LEDGERFLOW
    assert repr(Router(1004)) == f"Router(source=1004, host={LEDGERFLOW!r})"


def test_destination_remembers_what_it_mapped_but_never_a_refusal():
    from ledgerflow_xero.errors import HostNotAllowedError
    from ledgerflow_xero.routing import DESTINATION_CACHE_SIZE, Router

    router = Router(1004, "http://127.0.0.1:9")
    url = "https://api.xero.com/api.xro/2.0/Invoices"
    assert router.destination(url) == router.route(url) == "http://127.0.0.1:9/1004/api.xro/2.0/Invoices"
    for _ in range(3):
        with pytest.raises(UnsupportedApiError):
            router.destination("https://api.xero.com/payroll.xro/1.0/Employees")
        with pytest.raises(HostNotAllowedError):
            router.destination("https://elsewhere.example/api.xro/2.0/Invoices")
    for number in range(DESTINATION_CACHE_SIZE + 500):
        assert router.destination(f"{url}/{number}") == f"http://127.0.0.1:9/1004/api.xro/2.0/Invoices/{number}"
    assert router._destinations.cache_info().currsize == DESTINATION_CACHE_SIZE  # bounded


def test_a_router_is_immutable_so_what_it_remembers_stays_true():
    from ledgerflow_xero.routing import Router, get_router

    router = get_router(1004, "http://127.0.0.1:9")
    assert get_router(1004, "http://127.0.0.1:9") is router  # shared by every configuration like it
    for name, value in (("allow_unsupported_apis", True), ("allowed_hosts", ("evil.example",)), ("host", "x")):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(router, name, value)
    with pytest.raises(AttributeError, match="immutable"):
        del router.allowed_hosts
    assert router == Router(1004, "http://127.0.0.1:9") and router.allowed_hosts == ()
