"""A routed client sends only to its Ledgerflow host, loopback and the hosts its user allows:
every other destination is refused by name before any DNS lookup or socket.

Each case is watched at the socket layer by the autouse ``no_xero_traffic`` spy, so a refusal
that came after a lookup or a connection would be seen, whatever library made it.
"""

from __future__ import annotations

import pickle

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient as XeroApiClient
from xero_python.api_client.configuration import Configuration as XeroConfiguration
from xero_python.exceptions import HTTPStatusException
from xero_python.identity import IdentityApi

import ledgerflow_xero
from ledgerflow_xero import ApiClient, Configuration, HostNotAllowedError, InvalidHostError, RoutingError
from ledgerflow_xero.routing import Router

from .conftest import oauth2_token, token_set


def routed_client(recorder, **options):
    configuration = Configuration(oauth2_token=oauth2_token(), source=1004, host=recorder.base_url, **options)
    return ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)


def refused(no_xero_traffic, host, call):
    """Run ``call``, expect it refused as a request to ``host``, and prove nothing looked up or
    connected to that host."""
    with pytest.raises(HostNotAllowedError) as caught:
        call()
    assert caught.value.host == host
    assert repr(host) in str(caught.value)
    assert host not in no_xero_traffic.lookups and host not in no_xero_traffic.connections
    return caught.value


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://api.xero.com/api.xro/2.0/Invoices", "api.xero.com"),
        ("https://api.xero.io/api.xro/2.0/Invoices", "api.xero.io"),  # a Xero API moved to a new domain
        ("https://evil.example/steal", "evil.example"),
        ("http://10.1.2.3:8080/x", "10.1.2.3"),
    ],
)
def test_a_fresh_clients_rest_client_cannot_reach_other_hosts(recorder, no_xero_traffic, url, host):
    client = routed_client(recorder)
    refused(no_xero_traffic, host, lambda: client.rest_client.GET(url))
    refused(no_xero_traffic, host, lambda: client.rest_client.pool_manager.request("GET", url))
    assert recorder.requests == []


def test_a_base_url_on_a_foreign_host_is_refused(recorder, no_xero_traffic):
    client = routed_client(recorder)
    api = AccountingApi(client, base_url="https://mock.example/api.xro/2.0")
    error = refused(no_xero_traffic, "mock.example", lambda: api.get_organisations("tenant-1"))
    assert "allowed_hosts" in str(error)


def test_hosts_the_user_lists_are_allowed(recorder):
    client = routed_client(recorder, allowed_hosts=("mock.internal",))
    assert client.configuration.ledgerflow_router.allowed_hosts == ("mock.internal",)
    client.configuration.ledgerflow_router.check_destination("MOCK.internal.", "http")  # no error


def test_loopback_is_allowed_besides_the_ledgerflow_host(recorder):
    client = routed_client(recorder)
    other_loopback = recorder.base_url.replace("127.0.0.1", "localhost") + "/elsewhere/api.xro/2.0"
    AccountingApi(client, base_url=other_loopback).get_organisations("tenant-1")
    assert recorder.seen() == [("GET", "/elsewhere/api.xro/2.0/Organisation")]


@pytest.mark.parametrize("target", ["https://api.xero.com/connections", "https://elsewhere.example/connections"])
def test_a_redirect_off_the_allowlist_is_refused_before_it_is_followed(recorder, no_xero_traffic, target):
    client = routed_client(recorder)
    recorder.redirects["/1004/connections"] = target
    host = urllib3.util.parse_url(target).host
    refused(no_xero_traffic, host, lambda: IdentityApi(client).get_connections())
    assert recorder.seen() == [("GET", "/1004/connections")]


def test_a_redirect_chain_is_checked_at_every_hop(recorder, no_xero_traffic):
    client = routed_client(recorder)
    recorder.redirects["/1004/connections"] = recorder.base_url + "/hop"
    recorder.redirects["/hop"] = "https://identity.xero.com/connect/token"
    refused(no_xero_traffic, "identity.xero.com", lambda: IdentityApi(client).get_connections())
    assert recorder.seen() == [("GET", "/1004/connections"), ("GET", "/hop")]


def test_a_token_refresh_redirected_elsewhere_does_not_repost_the_secret(recorder, no_xero_traffic):
    stored = {"token": token_set(expired=True)}
    configuration = Configuration(oauth2_token=oauth2_token(), source=1004, host=recorder.base_url)
    client = ApiClient(
        configuration, pool_threads=1, oauth2_token_getter=lambda: stored["token"],
        oauth2_token_saver=lambda token: stored.update(token=token),
    )
    recorder.redirects["/1004/connect/token"] = "https://collector.example/token"
    refused(no_xero_traffic, "collector.example", lambda: AccountingApi(client).get_organisations("tenant-1"))
    assert recorder.seen() == [("POST", "/1004/connect/token")]
    assert stored["token"]["refresh_token"] == "current-refresh-token"


@pytest.mark.parametrize("proxy", ["https://api.xero.com:443", "http://proxy.corp.example:3128"])
def test_a_proxy_outside_the_allowlist_never_receives_the_bearer(recorder, no_xero_traffic, proxy):
    configuration = Configuration(oauth2_token=oauth2_token(), source=1004, host=recorder.base_url)
    configuration.proxy = proxy
    client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)
    assert isinstance(client.rest_client.pool_manager, urllib3.ProxyManager)
    host = urllib3.util.parse_url(proxy).host
    refused(no_xero_traffic, host, lambda: AccountingApi(client).get_organisations("tenant-1"))
    assert recorder.requests == []


def test_a_listed_proxy_is_used(recorder):
    configuration = Configuration(oauth2_token=oauth2_token(), source=1004, host=recorder.base_url,
                                  allowed_hosts=("localhost",))
    configuration.proxy = recorder.base_url.replace("127.0.0.1", "localhost")
    client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)
    AccountingApi(client).get_organisations("tenant-1")
    # An http proxy is sent the absolute URL: the recorder saw the routed request through it.
    assert recorder.requests[-1].path.endswith("/1004/api.xro/2.0/Organisation")


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"])
def test_proxy_environment_variables_do_not_divert_a_routed_client(recorder, no_xero_traffic, monkeypatch, variable):
    monkeypatch.setenv(variable, "http://api.xero.com:80")
    client = routed_client(recorder)
    AccountingApi(client).get_organisations("tenant-1")
    assert recorder.seen() == [("GET", "/1004/api.xro/2.0/Organisation")]
    assert no_xero_traffic.lookups and set(no_xero_traffic.lookups) <= {"127.0.0.1"}


@pytest.mark.parametrize(
    "url",
    [
        "https://api\u3002xero\u3002com/api.xro/2.0/Invoices",  # ideographic full stops
        "https://api.xe\u00adro.com/api.xro/2.0/Invoices",  # a soft hyphen
        "https://API.XERO.COM\uff0e/api.xro/2.0/Invoices",  # a full-width trailing dot
    ],
)
def test_unicode_look_alikes_of_xero_hosts_are_refused_as_xero_hosts(recorder, no_xero_traffic, url):
    client = routed_client(recorder)
    with pytest.raises(RoutingError, match="look-alike"):
        client.request("GET", url)
    with pytest.raises((HostNotAllowedError, urllib3.exceptions.LocationParseError)) as caught:
        client.rest_client.GET(url)
    if isinstance(caught.value, HostNotAllowedError):
        assert "Xero host" in str(caught.value)
    assert no_xero_traffic.lookups == [] and recorder.requests == []


def test_the_allowlist_normalises_hosts_as_the_resolver_does():
    router = Router(1004, "http://127.0.0.1:1", allowed_hosts=("Mock.Internal.",))
    assert router.allowed_hosts == ("mock.internal",)
    with pytest.raises(HostNotAllowedError, match="Xero host"):
        router.check_destination("api\u3002xero\u3002com")
    with pytest.raises(HostNotAllowedError, match="in clear"):
        Router(1004).check_destination("xero.api.ledgerscope.com", "http")
    Router(1004).check_destination("XERO.API.LEDGERSCOPE.COM.", "https")


@pytest.mark.parametrize("entry", ["https://mock.internal", "user@mock", "", "api.xero.com", "a b", 7])
def test_bad_allowed_hosts_are_refused_by_name(entry):
    with pytest.raises(InvalidHostError) as caught:
        Configuration(source=1004, allowed_hosts=(entry,))
    assert repr(entry)[:20] in str(caught.value)


def test_allowed_hosts_must_be_a_collection_not_a_string():
    with pytest.raises(InvalidHostError, match="tuple of host names"):
        Configuration(source=1004, allowed_hosts="mock.internal")


def test_an_unrouted_client_keeps_xero_pythons_pool(recorder):
    """No Ledgerflow settings: the guard stays out of the way (xero-python's behaviour)."""
    client = ApiClient(Configuration(oauth2_token=oauth2_token()), pool_threads=1, oauth2_token_getter=token_set)
    with pytest.raises(HTTPStatusException) as caught:  # the recorder answers 404: it was reached
        client.rest_client.GET(recorder.base_url + "/plain")
    assert caught.value.status == 404 and recorder.seen() == [("GET", "/plain")]


def test_routers_and_refusals_survive_pickling():
    router = Router(1009, "http://127.0.0.1:9", allowed_hosts=("mock.internal",))
    assert pickle.loads(pickle.dumps(router)) == router
    error = HostNotAllowedError("refused", host="evil.example")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.host, str(copy)) == (HostNotAllowedError, "evil.example", "refused")


def test_plain_xero_python_clients_are_guarded_under_the_patch(recorder, no_xero_traffic):
    existing = XeroApiClient(XeroConfiguration(), pool_threads=1)
    with ledgerflow_xero.patched(source=1004, host=recorder.base_url):
        fresh = XeroApiClient(XeroConfiguration(), pool_threads=1)
        for client in (existing, fresh):
            refused(no_xero_traffic, "api.xero.com", lambda c=client: c.rest_client.GET("https://api.xero.com/x"))
    assert ledgerflow_xero.is_patched() is False
    for client in (existing, fresh):  # undone exactly: no guard left on either pool
        assert "connection_from_host" not in vars(client.rest_client.pool_manager)


class SubclassedConfiguration(Configuration):
    """A user's subclass that decides its router in a property of its own."""

    def __init__(self, router, **kwargs):
        super().__init__(**kwargs)
        self._chosen = router

    @property
    def ledgerflow_router(self):
        return self._chosen


def test_a_subclass_that_overrides_the_router_property_is_routed_and_guarded(recorder, no_xero_traffic):
    router = Router(1004, recorder.base_url)
    client = ApiClient(SubclassedConfiguration(router, oauth2_token=oauth2_token()), pool_threads=1,
                       oauth2_token_getter=token_set)
    AccountingApi(client).get_organisations("tenant-1")
    assert [request.path for request in recorder.requests] == ["/1004/api.xro/2.0/Organisation"]
    refused(no_xero_traffic, "api.xero.com",
            lambda: client.rest_client.GET("https://api.xero.com/api.xro/2.0/Organisation"))


def test_a_configuration_given_a_source_after_xero_pythons_init_gets_the_default_contract(recorder):
    """A subclass that runs only xero-python's __init__, then ``use_ledgerflow``: no contract
    options of its own, so the default applies (refuse what is not served)."""

    class LateConfiguration(Configuration):
        def __init__(self, **kwargs):
            XeroConfiguration.__init__(self, **kwargs)

    configuration = LateConfiguration(oauth2_token=oauth2_token())
    configuration.use_ledgerflow(1004, recorder.base_url)
    api = AccountingApi(ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set))
    api.get_organisations("tenant-1")
    with pytest.raises(ledgerflow_xero.UnsupportedOperationError):
        api.get_items("tenant-1")
    assert [request.path for request in recorder.requests] == ["/1004/api.xro/2.0/Organisation"]


def test_a_callers_headers_are_sent_with_ours_but_left_as_they_were(recorder):
    client = routed_client(recorder)
    headers = {"Accept": "application/json", "xero-tenant-id": "tenant-1"}
    client.request("GET", "https://api.xero.com/api.xro/2.0/Organisation", headers=headers)
    assert headers == {"Accept": "application/json", "xero-tenant-id": "tenant-1"}
    [sent] = recorder.requests
    assert sent.headers["ledgerscope-tenant-id"] == "tenant-1" and sent.headers["Accept-Encoding"] == "gzip"
