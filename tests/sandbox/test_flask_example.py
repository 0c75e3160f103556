"""The sign-in example app (examples/flask_app.py) runs unchanged against the sandbox, with the
sandbox's demo client, whose redirect URI is the example's default."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ledgerflow_xero.sandbox.books.profiles import PROFILES

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flask_app.py"


@pytest.fixture
def example_app(sandbox):
    pytest.importorskip("flask", reason="the example needs Flask (the 'examples' or 'test' extra)")
    spec = importlib.util.spec_from_file_location("ledgerflow_flask_example_on_sandbox", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_app({
        "source": "sage-accounting", "host": sandbox.base_url, "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret, "redirect_uri": sandbox.redirect_uri,
        "scope": module.DEFAULT_SCOPE, "secret_key": "test-only",
    }).test_client()


def test_the_flask_example_signs_in_and_reads_invoices_from_the_sandbox(example_app, http, sandbox):
    login = example_app.get("/login")
    assert login.status_code == 302
    consent = http.request("GET", login.headers["Location"], redirect=False)  # the browser's visit
    back = urlsplit(consent.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == sandbox.redirect_uri
    callback = example_app.get(f"{back.path}?{back.query}")
    assert callback.status_code == 302, callback.get_data(as_text=True)
    connections = example_app.get("/connections").get_json()
    assert connections == [{"tenant_id": sandbox.organisation(1009).tenant_id, "tenant_name": PROFILES[1009].name,
                            "tenant_type": "ORGANISATION"}]
    invoices = example_app.get("/invoices").get_json()
    assert len(invoices["Invoices"]) == len(sandbox.books(1009).collections["Invoices"])
