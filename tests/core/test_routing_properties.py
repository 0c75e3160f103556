"""Property tests of the routing table: whatever URL xero-python (or a hostile caller) hands
the router, a routed URL lands on the configured host under ``/{source}/`` with the rest
kept byte for byte, and every other Xero URL is refused."""

from __future__ import annotations

import string
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from ledgerflow_xero import InvalidHostError, InvalidSourceError, Router, RoutingError, Source
from ledgerflow_xero.routing import ROUTES, UNSUPPORTED_APIS, is_xero_host, read_url, validate_host

# Per test, not a global profile: other test modules keep hypothesis's defaults.
thorough = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SOURCES = list(Source)
HOSTS = ["https://xero.api.ledgerscope.com", "https://xero.api.ledgerscope.dev", "http://127.0.0.1:8080",
         "https://stand-in.example.org:8443/ledgerflow", "http://[::1]:9000"]
XERO_ROUTE_HOSTS = {parse_url(route.xero_url).host for route in ROUTES}

# Path characters xero-python and its users put in URLs, plus the ones that matter to an attacker.
PATH_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@"
percent_escape = st.sampled_from(["%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "%20", "%25", "%252e", "%C3%A9", "%00"])
segment = st.lists(st.one_of(st.text(PATH_CHARS, min_size=1, max_size=8), percent_escape,
                             st.sampled_from([".", "..", "{InvoiceID}", "3d1f-44a9", "..;", "\\", "é"])),
                   min_size=0, max_size=4).map("".join)
sub_path = st.lists(segment, max_size=5).map(lambda parts: "".join("/" + part for part in parts))
query = st.one_of(st.just(""), st.text(PATH_CHARS + "/?%#.", max_size=30).map(lambda text: "?" + text))
fragment = st.one_of(st.just(""), st.text(PATH_CHARS + "/.", max_size=10).map(lambda text: "#" + text))


def ascii_case_variant(text: str, flips: st.DataObject) -> str:
    """``text`` with the case of some ASCII letters flipped, chosen by hypothesis."""
    mask = flips.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.swapcase() if flip and ch.isascii() else ch for ch, flip in zip(text, mask))


def decoded_segments(path: str) -> list:
    return unquote(path).replace("\\", "/").split("/")


def has_dot_segment(path: str) -> bool:
    return "\\" in path or any(seg in (".", "..") for seg in decoded_segments(path))


def path_of(url_tail: str) -> str:
    return url_tail.split("?", 1)[0].split("#", 1)[0]


def expected_base(router: Router, route_name: str) -> str:
    return router.url_for(route_name)


@thorough
@given(route=st.sampled_from(ROUTES), source=st.sampled_from(SOURCES), host=st.sampled_from(HOSTS),
       tail_path=sub_path, tail_query=query, tail_fragment=fragment, flips=st.data())
@example(route=ROUTES[-1], source=Source.QUICKBOOKS_ONLINE, host=HOSTS[0], tail_path="/Invoices",
         tail_query="?page=2", tail_fragment="", flips=None)
def test_a_routed_url_lands_under_the_source_with_the_rest_kept_byte_for_byte(
    route, source, host, tail_path, tail_query, tail_fragment, flips
) -> None:
    router = Router(source, host)
    prefix = route.xero_url if flips is None else ascii_case_variant(route.xero_url, flips)
    tail = tail_path + tail_query + tail_fragment
    url = prefix + tail
    try:
        routed = router.route(url)
    except RoutingError as error:
        # The only reason to refuse a mapped URL: its path could climb out of the source.
        assert has_dot_segment(path_of(tail)), (url, error)
        if len(tail_query) > 1:  # the message shows the URL without its query
            assert tail_query not in str(error)
        for _ in range(2):  # what a request sends through: it refuses too, every time
            with pytest.raises(RoutingError):
                router.destination(url)
        return
    assert router.destination(url) == router.destination(url) == routed  # the remembered answer is the same
    assert not has_dot_segment(path_of(tail)), (url, routed)
    base = expected_base(router, route.name)
    assert routed == base + tail  # byte for byte, after the Ledgerflow prefix
    assert routed.startswith(f"{router.host}/{int(source)}/")
    parsed = parse_url(routed)
    assert parsed.host == parse_url(router.host).host
    assert ".." not in decoded_segments(path_of(routed[len(router.host):]))
    assert not is_xero_host(parsed.host)


xero_subdomain = st.lists(st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10),
                          min_size=0, max_size=3).map(lambda labels: ".".join(labels + ["xero", "com"]))


@thorough
@given(hostname=xero_subdomain, tail=st.one_of(sub_path, st.just("/api.xro/2.0/Invoices")), flips=st.data())
def test_every_other_xero_host_is_refused(hostname: str, tail: str, flips: st.DataObject) -> None:
    assume(hostname not in XERO_ROUTE_HOSTS)
    url = "https://" + ascii_case_variant(hostname, flips) + flips.draw(st.sampled_from(["", ".", ":443"])) + tail
    assert is_xero_host(parse_url(url).host)
    with pytest.raises(RoutingError):
        Router(1009).route(url)


def _mapped_on(host: str, path: str) -> bool:
    """Whether a row of the table (routed or refused) covers ``path`` on ``host``, by ASCII case."""
    lowered = path.lower()
    for entry in list(ROUTES) + list(UNSUPPORTED_APIS):
        parsed = parse_url(entry.xero_url)
        prefix = parsed.path.lower()
        if parsed.host == host and lowered.startswith(prefix) and (
            len(path) == len(prefix) or path[len(prefix)] in "/?#"
        ):
            return True
    return False


@thorough
@given(host=st.sampled_from(sorted(XERO_ROUTE_HOSTS)), path=st.text(PATH_CHARS + "/%?#", max_size=40))
@example(host="api.xero.com", path="/api.xro/2.0x")
@example(host="api.xero.com", path="/api.xro")
@example(host="identity.xero.com", path="/connect")
@example(host="identity.xero.com", path="/api.xro/2.0/Invoices")
def test_an_unmapped_path_on_a_xero_host_is_refused(host: str, path: str) -> None:
    path = "/" + path.lstrip("/")
    assume(not _mapped_on(host, path))
    with pytest.raises(RoutingError):
        Router(1001).route(f"https://{host}{path}")


foreign_host = st.one_of(
    st.sampled_from(["127.0.0.1:4010", "localhost", "example.com", "xero.com.evil.org", "notxero.com",
                     "api.xero.co", "xero.api.ledgerscope.com", "[::1]:8080", "api.xero.com.ledgerscope.dev"]),
    st.lists(st.text(string.ascii_lowercase + "-", min_size=1, max_size=8), min_size=1, max_size=3)
    .map(lambda labels: ".".join(labels + ["example"])),
)


@thorough
@given(scheme=st.sampled_from(["http", "https", "HTTPS"]), host=foreign_host, tail=st.one_of(sub_path, query))
def test_a_non_xero_url_is_returned_unchanged(scheme: str, host: str, tail: str) -> None:
    url = f"{scheme}://{host}{tail}"
    assume(not is_xero_host(parse_url(url).host))
    assert Router(1004).route(url) is url


HOSTILE_SOURCES = ["1004/../admin", "1004?x=1", "1004#x", "1004/", "/1004", " 1004", "1004 ", "1004\n", "\t1009",
                   "１００４", "١٠٠٤", "1004\u200b", "+1004", "-1004", "1004.0", "0x3ec", "01004", "1e3", "",
                   "https://x@evil", "1004%2f..", "quickbooks/../x", "None", "true"]


@thorough
@given(value=st.one_of(st.sampled_from(HOSTILE_SOURCES), st.text(max_size=12)))
def test_a_hostile_source_is_refused_or_is_a_plain_source_id(value: str) -> None:
    for allow_unknown in (False, True):
        try:
            router = Router(value, allow_unknown_source=allow_unknown)
        except InvalidSourceError as error:
            assert repr(value) in str(error)
            continue
        assert value not in HOSTILE_SOURCES
        segment = str(int(router.source))
        assert segment.isascii() and segment.isdigit() and not segment.startswith("0")
        assert router.url_for("token") == f"{router.host}/{segment}/connect/token"


HOSTILE_HOSTS = ["https://x@evil", "https://x@evil.com", "https://evil.com@xero.api.ledgerscope.com",
                 "https://xero.api.ledgerscope.com/../admin", "https://xero.api.ledgerscope.com/%2e%2e",
                 "https://xero.api.ledgerscope.com?x=1", "https://xero.api.ledgerscope.com#x",
                 " https://xero.api.ledgerscope.com", "https://xero.api.ledgerscope.com\n", "https://xero.api.\u200bcom",
                 "https://api.xero.com", "https://XERO.COM.", "https://xеro.com", "https://ｘｅｒｏ.ｃｏｍ",
                 "http://xero.api.ledgerscope.com", "http://10.0.0.1", "ftp://xero.api.ledgerscope.com",
                 "https://xero.api.ledgerscope.com\\@evil", "https://[::1", "https://host:0", "https://host:99999",
                 "https://host:８０", "javascript:alert(1)", "https://", "//xero.api.ledgerscope.com"]


@thorough
@given(host=st.one_of(
    st.sampled_from(HOSTILE_HOSTS),
    st.tuples(st.sampled_from(["https://", "http://", "HTTPS://", "https://user@"]),
              st.text(string.ascii_letters + string.digits + ".-:@[]/%?#\\ é", min_size=1, max_size=30)).map("".join),
))
def test_a_hostile_host_is_refused_or_parses_the_same_for_urllib3(host: str) -> None:
    try:
        normalised = validate_host(host)
    except InvalidHostError as error:
        authority = read_url(host).authority
        if "@" in authority:  # user info is never echoed: shown as ***@
            assert "//***@" in str(error) and "//" + authority.rpartition("@")[0] + "@" not in str(error)
        else:
            assert repr(host) in str(error)
        return
    assert host not in HOSTILE_HOSTS
    parsed = parse_url(normalised)
    assert parsed.scheme in ("http", "https") and parsed.auth is None
    assert parsed.query is None and parsed.fragment is None
    assert not is_xero_host(parsed.host)
    assert parsed.host == parsed.host.lower() and not normalised.endswith("/")
    assert not has_dot_segment(parsed.path or "")
    routed = Router(1004, host).route("https://api.xero.com/api.xro/2.0/Invoices")
    assert routed == f"{normalised}/1004/api.xro/2.0/Invoices"
    assert parse_url(routed).host == parsed.host


@thorough
@given(route=st.sampled_from(ROUTES), data=st.data())
@example(route=ROUTES[3], data=None)  # .well-known with a Kelvin sign, which lower() turns into "k"
def test_a_prefix_with_a_non_ascii_lookalike_is_refused(route, data) -> None:
    host_part, path = route.xero_url.split("://", 1)[1].split("/", 1)
    if data is None:
        position, lookalike = path.index("k"), "\u212a"
    else:
        position = data.draw(st.integers(0, len(path) - 1))
        lookalike = data.draw(st.sampled_from(["\u212a", "\u0130", "\u017f", "\uff41", "\u0435", "\u0131"])
                              | st.characters(min_codepoint=128))
    url = f"https://{host_part}/{path[:position]}{lookalike}{path[position + 1:]}/Invoices"
    with pytest.raises(RoutingError):
        Router(1004).route(url)
