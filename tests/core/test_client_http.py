"""Through ledgerflow_xero.ApiClient and xero-python's unchanged API classes, over real HTTP."""

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient as XeroApiClient
from xero_python.api_client.configuration import Configuration as XeroConfiguration
from xero_python.identity import IdentityApi

from ledgerflow_xero import ApiClient, Configuration, HostNotAllowedError, UnsupportedApiError

from .conftest import SCOPE, SOURCES, oauth2_token, token_set


def make_client(recorder, source, expired=False, saved=None):
    stored = {"token": token_set(expired=expired)}

    def getter():
        return stored["token"]

    def saver(token):
        stored["token"] = token
        if saved is not None:
            saved.append(token)

    configuration = Configuration(oauth2_token=oauth2_token(), source=source, host=recorder.base_url)
    client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=getter, oauth2_token_saver=saver)
    return client, stored


@pytest.mark.parametrize("source", SOURCES)
def test_accounting_call_reaches_the_source_path_with_the_bearer_token(recorder, source):
    client, _ = make_client(recorder, source)
    organisations = AccountingApi(client).get_organisations("tenant-1")
    assert organisations.organisations[0].name == f"Org of source {source}"
    request = recorder.requests[-1]
    assert (request.method, request.path) == ("GET", f"/{source}/api.xro/2.0/Organisation")
    assert request.headers["Authorization"] == "Bearer current-access-token"
    assert request.headers["xero-tenant-id"] == "tenant-1"


@pytest.mark.parametrize("source", SOURCES)
def test_query_parameters_survive_routing(recorder, source):
    client, _ = make_client(recorder, source)
    AccountingApi(client).get_invoices("tenant-1", page=3, where='Status=="PAID"')
    request = recorder.requests[-1]
    assert request.path == f"/{source}/api.xro/2.0/Invoices"
    assert request.query == {"where": ['Status=="PAID"'], "page": ["3"]}


@pytest.mark.parametrize("source", SOURCES)
def test_connections_go_to_the_source_connections_path(recorder, source):
    client, _ = make_client(recorder, source)
    connections = IdentityApi(client).get_connections()
    assert connections[0].tenant_name == "Recorded Org"
    assert recorder.seen() == [("GET", f"/{source}/connections")]
    assert recorder.requests[-1].headers["Authorization"] == "Bearer current-access-token"


@pytest.mark.parametrize("source", SOURCES)
def test_an_expired_token_is_refreshed_at_the_source_token_endpoint(recorder, source):
    saved = []
    client, stored = make_client(recorder, source, expired=True, saved=saved)
    AccountingApi(client).get_organisations("tenant-1")
    assert recorder.seen() == [("POST", f"/{source}/connect/token"), ("GET", f"/{source}/api.xro/2.0/Organisation")]
    form = recorder.requests[0].form
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["current-refresh-token"]
    assert form["scope"] == [" ".join(SCOPE)]
    assert len(saved) == 1 and stored["token"]["access_token"] == "new-access-token"
    assert recorder.requests[1].headers["Authorization"] == "Bearer new-access-token"


@pytest.mark.parametrize("source", SOURCES)
def test_revocation_goes_to_the_source_revocation_endpoint(recorder, source):
    client, stored = make_client(recorder, source)
    assert client.revoke_oauth2_token()
    assert recorder.seen() == [("POST", f"/{source}/connect/revocation")]
    assert recorder.requests[0].form["token"] == ["current-refresh-token"]
    assert stored["token"]["access_token"] is None


@pytest.mark.parametrize("source", SOURCES)
def test_client_credentials_go_to_the_source_token_endpoint(recorder, source):
    client, stored = make_client(recorder, source)
    client.get_client_credentials_token()
    assert recorder.seen() == [("POST", f"/{source}/connect/token")]
    form = recorder.requests[0].form
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == ["client-id"]
    assert stored["token"]["access_token"] == "new-access-token"


def test_an_explicit_base_url_elsewhere_is_respected(recorder):
    client, _ = make_client(recorder, 1004)
    AccountingApi(client, base_url=recorder.base_url + "/mock/api.xro/2.0").get_organisations("t")
    assert recorder.seen() == [("GET", "/mock/api.xro/2.0/Organisation")]


def test_unsupported_api_is_refused_before_any_request(recorder):
    from xero_python.payrolluk import PayrollUkApi

    client, _ = make_client(recorder, 1004)
    with pytest.raises(UnsupportedApiError, match="payroll"):
        PayrollUkApi(client).get_employees("tenant-1")
    assert recorder.requests == []


def test_opting_in_sends_an_unsupported_api_to_ledgerflow(recorder):
    from xero_python.assets import AssetApi

    configuration = Configuration(
        oauth2_token=oauth2_token(), source=1004, host=recorder.base_url, allow_unsupported_apis=True
    )
    client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)
    with pytest.raises(Exception):  # noqa: B017 - the recorder answers 404 for assets; the path is what matters
        AssetApi(client).get_asset_settings("tenant-1")
    assert recorder.seen() == [("GET", "/1004/assets.xro/1.0/Settings")]


def test_a_redirect_towards_xero_is_refused_before_it_is_followed(recorder, no_xero_traffic):
    client, _ = make_client(recorder, 1004)
    recorder.redirects["/1004/connections"] = "https://api.xero.com/connections"
    with pytest.raises(HostNotAllowedError, match="api.xero.com.*it is a Xero host"):
        IdentityApi(client).get_connections()
    assert recorder.seen() == [("GET", "/1004/connections")]
    assert no_xero_traffic.xero_hosts == []


def test_accounting_path_without_source_segment(recorder):
    configuration = Configuration(
        oauth2_token=oauth2_token(), source=1004, host=recorder.base_url, source_in_accounting_path=False
    )
    client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)
    AccountingApi(client).get_organisations("tenant-1")
    IdentityApi(client).get_connections()
    assert recorder.seen() == [("GET", "/api.xro/2.0/Organisation"), ("GET", "/1004/connections")]


def test_a_plain_configuration_behaves_like_plain_xero_python(recorder):
    """Same requests, byte for byte, from our client with a plain configuration and xero-python's own."""
    seen = []
    for client_class in (ApiClient, XeroApiClient):
        configuration = XeroConfiguration.__new__(XeroConfiguration)
        configuration.__init__(oauth2_token=oauth2_token())
        client = client_class(configuration, pool_threads=1, oauth2_token_getter=token_set)
        AccountingApi(client, base_url=recorder.base_url + "/api.xro/2.0").get_organisations("tenant-1")
        request = recorder.requests[-1]
        seen.append((request.method, request.path, request.headers["Authorization"], request.body))
    assert seen[0] == seen[1] == ("GET", "/api.xro/2.0/Organisation", "Bearer current-access-token", b"")


def test_an_unconfigured_client_would_talk_to_xero_untouched():
    """With no source our client keeps xero-python's URL; the fail-closed spy refuses the lookup."""
    client = ApiClient(Configuration(oauth2_token=oauth2_token()), pool_threads=1, oauth2_token_getter=token_set)
    sent = []
    client.rest_client.request = lambda method, url, **kwargs: sent.append(url)  # stop before the network
    client.request("GET", "https://api.xero.com/api.xro/2.0/Organisation")
    assert sent == ["https://api.xero.com/api.xro/2.0/Organisation"]
