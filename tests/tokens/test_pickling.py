"""Public objects and every error class survive pickle, copy and deepcopy with their state."""

from __future__ import annotations

import copy
import inspect
import pickle
from typing import Any, Callable, List

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import OAuth2Token

import ledgerflow_xero
from ledgerflow_xero import ApiClient, Configuration, RetryPolicy, Router, TokenStore, errors
from ledgerflow_xero.routing import ROUTES, UNSUPPORTED_APIS

from .loopback import CLIENT_ID, CLIENT_SECRET, ORGANISATION_PATH, LoopbackServer

ROUND_TRIPS: List[Callable[[Any], Any]] = [copy.copy, copy.deepcopy, lambda value: pickle.loads(pickle.dumps(value))]
TRIP_IDS = ["copy", "deepcopy", "pickle"]


def error_examples() -> List[BaseException]:
    """One instance of every exception class the package defines, with attributes set."""
    examples: List[BaseException] = []
    for _name, cls in inspect.getmembers(errors, inspect.isclass):
        if not issubclass(cls, errors.LedgerflowError):
            continue
        parameters = inspect.signature(cls.__init__).parameters
        kwargs = {"status": 400, "error": "invalid_grant", "error_description": "reused"} if "status" in parameters \
            else {"check": "nonce"} if "check" in parameters else {}
        extra = [f"{name}-value" for name, parameter in list(parameters.items())[2:]
                 if parameter.kind is parameter.POSITIONAL_OR_KEYWORD and parameter.default is parameter.empty]
        examples.append(cls("message of " + cls.__name__, *extra, **kwargs))
    return examples


ERRORS = error_examples()


def test_every_error_class_of_the_package_is_covered() -> None:
    exported = {name for name in ledgerflow_xero.__all__ if name.endswith("Error")}
    assert exported <= {type(error).__name__ for error in ERRORS}
    assert len(ERRORS) >= 20


@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=TRIP_IDS)
@pytest.mark.parametrize("error", ERRORS, ids=[type(e).__name__ for e in ERRORS])
def test_an_error_round_trips_with_its_attributes(error: BaseException, trip: Callable[[Any], Any]) -> None:
    again = trip(error)
    assert type(again) is type(error) and str(again) == str(error) and again.args == error.args
    assert vars(again) == vars(error)
    for attribute in ("status", "error", "error_description", "check", "api", "host"):
        assert getattr(again, attribute, None) == getattr(error, attribute, None)


@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=TRIP_IDS)
@pytest.mark.parametrize("value", [
    Router(1004), Router(1009, "https://xero.api.ledgerscope.dev", source_in_accounting_path=False,
                         allow_unsupported_apis=True),
    RetryPolicy(attempts=4, statuses=[429], backoff=0.5, jitter=0.2, budget=30), ROUTES[0], UNSUPPORTED_APIS[0],
], ids=["Router", "Router-options", "RetryPolicy", "Route", "UnsupportedApi"])
def test_public_values_round_trip_equal(value: Any, trip: Callable[[Any], Any]) -> None:
    again = trip(value)
    assert again == value and repr(again) == repr(value)


def test_a_router_rebuilt_from_pickle_routes_the_same() -> None:
    router = Router(1004, source_in_accounting_path=False)
    again = pickle.loads(pickle.dumps(router))
    url = "https://api.xero.com/api.xro/2.0/Invoices?page=2"
    assert again.route(url) == router.route(url) and again.url_for("token") == router.url_for("token")


@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=TRIP_IDS)
def test_a_configuration_copy_keeps_its_routing(server: LoopbackServer, trip: Callable[[Any], Any]) -> None:
    configuration = Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
                                  source=1004, host=server.base_url, retry=RetryPolicy(attempts=2),
                                  timeout=(2.0, 3.0))
    again = trip(configuration)
    assert again.ledgerflow_router == configuration.ledgerflow_router and again.source == 1004
    assert again.ledgerflow_retry == configuration.ledgerflow_retry and again.ledgerflow_timeout == (2.0, 3.0)
    # ... and a client built on the copy really goes to Ledgerflow (here the loopback stand-in).
    store = TokenStore(server.issue())
    client = ApiClient(again, pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save)
    before = len(server.requests)
    AccountingApi(client).get_organisations("tenant-1")
    assert server.requests[before][1] == ORGANISATION_PATH


def test_an_unconfigured_configuration_copies_as_unconfigured() -> None:
    assert copy.deepcopy(Configuration()).ledgerflow_router is None


def test_a_token_store_pickles_with_its_set_but_no_history() -> None:
    store = TokenStore({"access_token": "a"})
    store.save({"access_token": "b"})
    again = pickle.loads(pickle.dumps(store))
    assert again.get() == {"access_token": "b"} and again.saved == []
