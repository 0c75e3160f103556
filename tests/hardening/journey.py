"""Sign in to a running sandbox the way a user's program does, and keep the token set the
way xero-python's getter/saver pattern keeps it (with a count of saves)."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import urllib3
from xero_python.api_client.oauth2 import OAuth2Token

from ledgerflow_xero import ApiClient, Configuration, TokenStore, authorization_url, exchange_code

SCOPE = "openid profile email offline_access accounting.transactions.read accounting.settings.read"
_browser = urllib3.PoolManager(retries=False)


class SignedIn:
    """What a signed-in program holds: the login (state, verifier), the code, the token
    store, a Ledgerflow ``ApiClient`` and the tenant of the source."""

    def __init__(self, sandbox: Any, source: int, **configuration: Any) -> None:
        self.sandbox = sandbox
        self.source = source
        self.login = authorization_url(sandbox.client_id, sandbox.redirect_uri, SCOPE, source=source,
                                       host=sandbox.base_url)
        answer = _browser.request("GET", self.login.url, redirect=False)
        assert answer.status == 302, answer.data
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        self.code = query["code"][0]
        tokens = exchange_code(
            self.code, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
            redirect_uri=sandbox.redirect_uri, source=source, host=sandbox.base_url,
            code_verifier=self.login.code_verifier, expected_state=self.login.state,
            returned_state=query["state"][0],
        )
        self.tokens = tokens  # the TokenSet exchange_code returned
        self.store = TokenStore(tokens)
        self.api_client = self.new_client(**configuration)
        self.tenant_id = sandbox.organisation(source).tenant_id

    def new_client(self, **configuration: Any) -> ApiClient:
        """Another client on the same token store (as another thread of the program would build)."""
        return ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(client_id=self.sandbox.client_id, client_secret=self.sandbox.client_secret),
                source=self.source, host=self.sandbox.base_url, **configuration,
            ),
            pool_threads=1,
            oauth2_token_getter=self.store.get,
            oauth2_token_saver=self.store.save,
        )

    def secrets(self) -> Dict[str, str]:
        """Every secret of this sign-in, by name, including those of earlier token sets."""
        found = {
            "client secret": self.sandbox.client_secret,
            "code": self.code,
            "code verifier": self.login.code_verifier,
        }
        for number, token in enumerate([self.store.token, *self.store.saved]):
            for key in ("access_token", "refresh_token", "id_token"):
                if token.get(key):
                    found[f"{key} #{number}"] = token[key]
        return found
