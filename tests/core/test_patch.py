"""The opt-in global patch: applied once, undone exactly, harmless when repeated."""

import threading
import warnings

import pytest
import wrapt
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient as XeroApiClient
from xero_python.api_client.configuration import Configuration as XeroConfiguration
from xero_python.identity import IdentityApi

import ledgerflow_xero
from ledgerflow_xero import Configuration, InvalidSourceError, LedgerflowCompatibilityWarning, patching

from .conftest import oauth2_token, token_set

ORIGINAL_REQUEST = XeroApiClient.__dict__["request"]


@pytest.fixture(autouse=True)
def always_unpatched():
    ledgerflow_xero.unpatch()
    yield
    ledgerflow_xero.unpatch()
    assert XeroApiClient.__dict__["request"] is ORIGINAL_REQUEST


def plain_client():
    configuration = XeroConfiguration.__new__(XeroConfiguration)
    configuration.__init__(oauth2_token=oauth2_token())
    return XeroApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)


def test_patched_plain_clients_route_and_unpatched_ones_do_not(recorder):
    ledgerflow_xero.patch(source="quickbooks", host=recorder.base_url)
    assert ledgerflow_xero.is_patched()
    assert isinstance(XeroApiClient.__dict__["request"], wrapt.FunctionWrapper)
    client = plain_client()
    IdentityApi(client).get_connections()
    AccountingApi(client).get_organisations("tenant")
    assert recorder.seen() == [("GET", "/1004/connections"), ("GET", "/1004/api.xro/2.0/Organisation")]

    ledgerflow_xero.unpatch()
    assert not ledgerflow_xero.is_patched()
    assert XeroApiClient.__dict__["request"] is ORIGINAL_REQUEST
    sent = []
    client.rest_client.request = lambda method, url, **kwargs: sent.append(url)
    client.request("GET", "https://api.xero.com/Connections")
    assert sent == ["https://api.xero.com/Connections"]


def test_patch_and_unpatch_twice_are_harmless(recorder):
    ledgerflow_xero.unpatch()
    ledgerflow_xero.patch(1009, recorder.base_url)
    wrapper = XeroApiClient.__dict__["request"]
    ledgerflow_xero.patch(1009, recorder.base_url)
    assert XeroApiClient.__dict__["request"] is wrapper
    assert wrapper.__wrapped__ is ORIGINAL_REQUEST
    IdentityApi(plain_client()).get_connections()
    assert recorder.seen() == [("GET", "/1009/connections")]
    ledgerflow_xero.unpatch()
    ledgerflow_xero.unpatch()
    assert XeroApiClient.__dict__["request"] is ORIGINAL_REQUEST


def test_patching_again_changes_the_settings_without_stacking(recorder):
    ledgerflow_xero.patch(1009, recorder.base_url)
    ledgerflow_xero.patch(1001, recorder.base_url)
    IdentityApi(plain_client()).get_connections()
    assert recorder.seen() == [("GET", "/1001/connections")]
    assert XeroApiClient.__dict__["request"].__wrapped__ is ORIGINAL_REQUEST


def test_a_clients_own_settings_win_over_the_patch(recorder):
    ledgerflow_xero.patch(1009, recorder.base_url)
    own = Configuration(oauth2_token=oauth2_token(), source=1004, host=recorder.base_url)
    IdentityApi(XeroApiClient(own, pool_threads=1, oauth2_token_getter=token_set)).get_connections()
    IdentityApi(ledgerflow_xero.ApiClient(own, pool_threads=1, oauth2_token_getter=token_set)).get_connections()
    assert recorder.seen() == [("GET", "/1004/connections"), ("GET", "/1004/connections")]


def test_patch_reads_the_environment(recorder, monkeypatch):
    monkeypatch.setenv("LEDGERFLOW_SOURCE", "sage-desktop-uk")
    monkeypatch.setenv("LEDGERFLOW_HOST", recorder.base_url)
    ledgerflow_xero.patch()
    IdentityApi(plain_client()).get_connections()
    assert recorder.seen() == [("GET", "/1001/connections")]


def test_patch_without_a_source_is_an_error_and_changes_nothing():
    with pytest.raises(InvalidSourceError, match="LEDGERFLOW_SOURCE"):
        ledgerflow_xero.patch()
    assert not ledgerflow_xero.is_patched()
    assert XeroApiClient.__dict__["request"] is ORIGINAL_REQUEST


def test_concurrent_patch_and_unpatch_leave_a_consistent_state(recorder):
    barrier = threading.Barrier(8)

    def toggle(i):
        barrier.wait()
        for _ in range(50):
            if i % 2:
                ledgerflow_xero.patch(1004, recorder.base_url)
            else:
                ledgerflow_xero.unpatch()

    threads = [threading.Thread(target=toggle, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    current = XeroApiClient.__dict__["request"]
    if ledgerflow_xero.is_patched():
        assert current.__wrapped__ is ORIGINAL_REQUEST
    else:
        assert current is ORIGINAL_REQUEST


def test_a_release_outside_the_declared_range_warns(monkeypatch):
    monkeypatch.setattr(patching.metadata, "version", lambda name: "99.0.0")
    with pytest.warns(LedgerflowCompatibilityWarning, match="99.0.0"):
        ledgerflow_xero.patch(1004)
    assert ledgerflow_xero.is_patched()


def test_the_installed_release_is_inside_the_declared_range():
    assert patching.supported_xero_python() is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert patching.check_xero_python_version() is True


def test_someone_elses_wrapper_on_top_is_left_in_place_with_routing_off(recorder):
    ledgerflow_xero.patch(1004, recorder.base_url)
    ours = XeroApiClient.__dict__["request"]
    wrapt.wrap_function_wrapper(
        XeroApiClient, "request", lambda wrapped, instance, args, kwargs: wrapped(*args, **kwargs)
    )
    try:
        with pytest.warns(LedgerflowCompatibilityWarning, match="wrapped again"):
            ledgerflow_xero.unpatch()
        assert not ledgerflow_xero.is_patched()
        AccountingApi(plain_client(), base_url=recorder.base_url + "/x/api.xro/2.0").get_organisations("t")
        assert recorder.seen() == [("GET", "/x/api.xro/2.0/Organisation")]
    finally:
        XeroApiClient.request = ours.__wrapped__


def test_patched_scopes_the_patch_and_restores_the_outer_settings(recorder):
    from xero_python.rest import RESTClientObject

    original_init = RESTClientObject.__dict__["__init__"]
    with ledgerflow_xero.patched(source=1009, host=recorder.base_url) as router:
        assert ledgerflow_xero.is_patched() and int(router.source) == 1009
        IdentityApi(plain_client()).get_connections()
    assert not ledgerflow_xero.is_patched()
    assert XeroApiClient.__dict__["request"] is ORIGINAL_REQUEST
    assert RESTClientObject.__dict__["__init__"] is original_init

    ledgerflow_xero.patch(source=1001, host=recorder.base_url)
    with ledgerflow_xero.patched(source=1004, host=recorder.base_url):
        IdentityApi(plain_client()).get_connections()
    assert ledgerflow_xero.is_patched()  # the outer patch() is still in force, with its own source
    IdentityApi(plain_client()).get_connections()
    assert recorder.seen() == [("GET", "/1009/connections"), ("GET", "/1004/connections"), ("GET", "/1001/connections")]


def test_patched_restores_the_state_when_the_block_raises(recorder):
    with pytest.raises(ZeroDivisionError), ledgerflow_xero.patched(source=1004, host=recorder.base_url):
        1 / 0  # noqa: B018
    assert not ledgerflow_xero.is_patched()
