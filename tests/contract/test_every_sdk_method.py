"""Every method of the installed xero-python's ``AccountingApi``, through a routed client: served
ones reach the loopback stand-in at their routed path, the rest raise ``UnsupportedOperationError``
before any socket is opened — with ``ledgerflow_xero.ApiClient`` and under ``ledgerflow_xero.patch()``."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient as XeroApiClient

import ledgerflow_xero
from ledgerflow_xero import ApiClient, Configuration, UnsupportedOperationError, surface

from ..support import LoopbackServer
from .conftest import PDF_BODY, SocketSpy, fill, oauth2_token, plain_configuration, token_set

SOURCE = 1004
ID = "00000000-0000-4000-8000-0000000000a1"

METHODS: List[str] = sorted(
    name
    for name, function in inspect.getmembers(AccountingApi, inspect.isfunction)
    if not name.startswith("_") and name not in ("get_resource_url", "get_model_finder")
)
SENDS: Dict[str, Tuple[str, str, str]] = {name: (m, p, a) for name, m, p, a in surface.table.SDK_REQUESTS}


def served(name: str) -> bool:
    operation = surface.sdk_operation(name)
    return operation is not None and operation.served


SERVED_METHODS = [name for name in METHODS if served(name)]
UNSERVED_METHODS = [name for name in METHODS if not served(name)]


def test_the_table_knows_every_method_of_the_installed_accounting_api() -> None:
    assert set(METHODS) == set(surface.sdk_methods())
    assert (len(METHODS), len(SERVED_METHODS), len(UNSERVED_METHODS)) == (235, 40, 195)
    pdf = [name for name in SERVED_METHODS if "application/pdf" in SENDS[name][2]]
    assert pdf == ["get_credit_note_as_pdf", "get_invoice_as_pdf"]
    reached = {(op.http_method, op.path_template) for op in map(surface.sdk_operation, SERVED_METHODS) if op}
    assert len(reached) == 38 and {op.http_method for op in surface.SERVED} == {"GET"}


def call(api: AccountingApi, name: str) -> Any:
    """Call ``api.<name>`` with a value for every required parameter."""
    function: Callable[..., Any] = getattr(api, name)
    arguments = {
        parameter.name: ID
        for parameter in inspect.signature(function).parameters.values()
        if parameter.default is inspect.Parameter.empty and parameter.kind is parameter.POSITIONAL_OR_KEYWORD
    }
    return function(**arguments)


@pytest.fixture(params=["ApiClient", "patch"])
def make_api(request: pytest.FixtureRequest, stand_in: LoopbackServer) -> Iterator[Callable[[], AccountingApi]]:
    """Builds a fresh AccountingApi (fresh connection pool) routed to the stand-in, both ways."""
    if request.param == "ApiClient":
        def build() -> AccountingApi:
            configuration = Configuration(oauth2_token=oauth2_token(), source=SOURCE, host=stand_in.base_url)
            return AccountingApi(ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set))

        yield build
        return
    ledgerflow_xero.patch(SOURCE, stand_in.base_url)
    try:
        def build_plain() -> AccountingApi:
            configuration = plain_configuration()
            return AccountingApi(XeroApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set))

        yield build_plain
    finally:
        ledgerflow_xero.unpatch()


@pytest.mark.parametrize("name", SERVED_METHODS)
def test_a_served_method_reaches_its_routed_path(name: str, make_api: Callable[[], AccountingApi],
                                                  stand_in: LoopbackServer) -> None:
    method, template, accept = SENDS[name]
    before = len(stand_in.requests)
    result = call(make_api(), name)
    seen = stand_in.requests[before:]
    assert [(s.method, s.path.split("?")[0]) for s in seen] == [
        (method, f"/{SOURCE}/api.xro/2.0" + fill(template, ID))
    ]
    assert seen[0].headers["xero-tenant-id"] == seen[0].headers["ledgerscope-tenant-id"] == ID
    if "application/pdf" in accept:  # passed through unchanged: xero-python saved the PDF
        with open(result, "rb") as saved:
            assert saved.read() == PDF_BODY


@pytest.mark.parametrize("name", UNSERVED_METHODS)
def test_an_unserved_method_is_refused_before_any_socket(name: str, make_api: Callable[[], AccountingApi],
                                                         stand_in: LoopbackServer, socket_spy: SocketSpy) -> None:
    method, template, accept = SENDS[name]
    api = make_api()
    before = len(stand_in.requests)
    with pytest.raises(UnsupportedOperationError) as refused:
        call(api, name)
    assert socket_spy.calls == [] and len(stand_in.requests) == before
    error = refused.value
    reached = surface.match(method, fill(template, ID))  # what the request itself says
    assert reached is not None and not reached.served
    assert error.reason == reached.reason == surface.sdk_operation(name).reason  # type: ignore[union-attr]
    assert (error.http_method, error.path_template) == (method, reached.path_template)
    # named when no other method sends the same request shape; else the resource
    shape = fill(template, "{}")
    twins = [other for other, (m, p, a) in SENDS.items()
             if (m, fill(p, "{}"), "pdf" in a) == (method, shape, "pdf" in accept)]
    resource = "/".join(part for part in template.strip("/").split("/") if not part.startswith("{"))
    assert error.operation == (name if twins == [name] else resource)
    assert str(error).startswith(f"Ledgerflow does not serve {error.operation} ({method} {reached.path_template}): ")
