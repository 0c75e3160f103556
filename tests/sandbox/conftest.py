"""Fixtures for the sandbox tests: a fresh sandbox per test and a raw HTTP pool.

Security tests talk to the endpoints with plain urllib3, so each assertion sees the exact
status and error body a user's app would see; the journey tests use the package's public API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3

from ledgerflow_xero.sandbox import Sandbox, running_sandbox
from ledgerflow_xero.sandbox.authority import pkce_challenge

SCOPE = "openid profile email offline_access accounting.transactions accounting.settings"
VERIFIER = "v" * 20 + "-verifier-" + "x" * 20  # 50 unreserved characters


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(seed=7) as running:
        yield running


@pytest.fixture(scope="session")
def http() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False)


@dataclass
class Answer:
    status: int
    headers: Dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location_query(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.headers["Location"]).query).items()}


class Raw:
    """Hand-made requests to one sandbox, for checking refusals precisely."""

    def __init__(self, sandbox: Sandbox, http: urllib3.PoolManager) -> None:
        self.sandbox = sandbox
        self.http = http

    def url(self, source: int, name: str) -> str:
        return self.sandbox.router(source).url_for(name)

    def send(self, method: str, url: str, **kwargs: Any) -> Answer:
        response = self.http.request(method, url, redirect=False, **kwargs)
        return Answer(response.status, dict(response.headers), response.data)

    def authorize(self, source: int, *, verifier: str | None = VERIFIER, **overrides: str) -> Answer:
        params = {
            "response_type": "code",
            "client_id": self.sandbox.client_id,
            "redirect_uri": self.sandbox.redirect_uri,
            "scope": SCOPE,
            "state": "state-123",
        }
        if verifier is not None:
            params.update(code_challenge=pkce_challenge(verifier), code_challenge_method="S256")
        params.update(overrides)
        params = {k: v for k, v in params.items() if v is not None}
        return self.send("GET", self.url(source, "authorize"), fields=params)

    def code(self, source: int, **overrides: Any) -> str:
        answer = self.authorize(source, **overrides)
        assert answer.status == 302, answer.body
        return answer.location_query["code"]

    def token(self, source: int, form: Dict[str, str], *, basic: str | None = None) -> Answer:
        headers = {"Authorization": f"Basic {basic}"} if basic else {}
        if not basic:
            form = {"client_id": self.sandbox.client_id, "client_secret": self.sandbox.client_secret, **form}
        form = {k: v for k, v in form.items() if v is not None}
        return self.send("POST", self.url(source, "token"), fields=form, encode_multipart=False, headers=headers)

    def exchange(self, source: int, code: str, **overrides: str | None) -> Answer:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.sandbox.redirect_uri,
                "code_verifier": VERIFIER}
        form.update(overrides)  # type: ignore[arg-type]
        return self.token(source, form)

    def tokens(self, source: int) -> Dict[str, Any]:
        answer = self.exchange(source, self.code(source))
        assert answer.status == 200, answer.body
        return answer.json

    def api(self, source: int, path: str, access_token: str | None, tenant_id: str | None = None,
            method: str = "GET") -> Answer:
        headers = {"Accept": "application/json"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        if tenant_id:
            headers["xero-tenant-id"] = tenant_id
        return self.send(method, self.url(source, "accounting") + path, headers=headers)


@pytest.fixture
def raw(sandbox: Sandbox, http: urllib3.PoolManager) -> Raw:
    return Raw(sandbox, http)


@pytest.fixture(scope="session")
def prism_url(shared_dir) -> Iterator[str]:
    """Prism mocking Xero's accounting spec (see prism.py); skips outside CI when it cannot start."""
    import os

    from .prism import SPEC, PrismUnavailable, running_prism

    try:
        with running_prism(shared_dir / SPEC) as url:
            yield url
    except PrismUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"Prism is needed for the forwarding tests and could not start: {missing}")
        pytest.skip(f"Prism could not start: {missing}")
