"""The contract: every served operation, for every source (and the `demo` tenant), called through
xero-python's unchanged AccountingApi on a routed ledgerflow_xero.ApiClient against the running
sandbox, returns data — and the raw JSON validates against the response schema of the Ledgerscope
spec (Xero's accounting spec with the vendor's delta applied; defects handled in ledgerscope_spec.py)."""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from xero_python.accounting import AccountingApi

from ledgerflow_xero import surface
from ledgerflow_xero.sandbox import Sandbox, running_sandbox

from .ledgerscope_spec import FIXES, ledgerscope_spec, response_validator
from .served_calls import has_data, served_calls

TENANTS = [1001, 1004, 1009, "demo"]
OPERATIONS = [op.operation_id for op in surface.SERVED]


@pytest.fixture(scope="module")
def spec(shared_dir) -> Dict[str, Any]:
    return ledgerscope_spec(str(shared_dir / "specs"))


class Recorded:
    """A signed-in client whose raw answers are kept, so the JSON itself can be validated."""

    def __init__(self, sandbox: Sandbox, tenant: Any) -> None:
        source = 1004 if tenant == "demo" else tenant
        self.client, self.tenant_id = sandbox.api_client(source)
        self.books = sandbox.app.accounting.demo if tenant == "demo" else sandbox.books(source)
        if tenant == "demo":
            self.tenant_id = "demo"
        self.raw: List[Any] = []
        send = self.client.request

        def recording(*args: Any, **kwargs: Any) -> Any:
            answer = send(*args, **kwargs)
            self.raw.append(answer)
            return answer

        self.client.request = recording
        calls = served_calls(AccountingApi, self.books)
        self.calls = {op.operation_id: (op, name, kwargs) for op, name, kwargs in calls}


@pytest.fixture(scope="module")
def clients() -> Iterator[Dict[Any, Recorded]]:
    with running_sandbox(seed=11) as sandbox:
        yield {tenant: Recorded(sandbox, tenant) for tenant in TENANTS}


def call(recorded: Recorded, operation_id: str) -> Tuple[Any, Any, surface.Operation]:
    operation, name, kwargs = recorded.calls[operation_id]
    recorded.raw.clear()
    answer = getattr(AccountingApi(recorded.client), name)(recorded.tenant_id, **kwargs)
    assert len(recorded.raw) == 1
    return answer, json.loads(recorded.raw[0].data), operation


def test_the_table_serves_38_operations():
    assert len(OPERATIONS) == 38 and len(set(OPERATIONS)) == 38


@pytest.mark.parametrize("operation_id", OPERATIONS)
@pytest.mark.parametrize("tenant", TENANTS, ids=str)
def test_every_served_operation_answers_data_that_validates_against_the_spec(clients, spec, tenant, operation_id):
    answer, body, operation = call(clients[tenant], operation_id)
    assert has_data(answer), f"{operation.sdk_method} answered no records for {tenant}: {str(body)[:300]}"
    validator, schema_name = response_validator(spec, operation.path_template)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(body)]
    assert not errors, f"{operation_id} ({schema_name}) for {tenant}: {len(errors)} errors, first: {errors[:5]}"


def test_the_validator_catches_a_broken_answer(clients, spec):
    _, body, operation = call(clients[1004], "getInvoices")
    broken = copy.deepcopy(body)
    broken["Invoices"][0]["Total"] = "a lot"
    broken["Invoices"][0]["Status"] = "PAIDISH"
    broken["Invoices"][1]["LineItems"] = {"not": "a list"}
    validator, _ = response_validator(spec, operation.path_template)
    paths = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(broken)}
    assert {"Invoices/0/Total", "Invoices/0/Status", "Invoices/1/LineItems"} <= paths


def test_the_spec_defects_worked_around_are_the_documented_ones(spec):
    kinds = {fix.split(":", 1)[0] for fix in FIXES}
    assert kinds == {"boolean default given as a string", "boolean example given as a string",
                     "dangling $ref BrandingTheme", "dangling $ref Connection"}, kinds
