"""The OAuth clients a sandbox accepts: ``--client ID:SECRET:REDIRECT_URI`` and the built-in demo client."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Dict, Iterable, Tuple
from urllib.parse import urlsplit

from ..errors import SandboxConfigError

DEMO_CLIENT_ID = "ledgerflow-sandbox-demo"
DEMO_CLIENT_SECRET = "ledgerflow-sandbox-demo-secret"  # public on purpose: it only opens the local sandbox
DEMO_REDIRECT_URI = "http://localhost:5000/callback"


@dataclass(frozen=True)
class RegisteredClient:
    """One OAuth client: its id, secret (empty for a public PKCE client) and exact redirect URIs."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: Tuple[str, ...]

    @property
    def is_public(self) -> bool:
        """A client without a secret: it must use PKCE and cannot use client credentials."""
        return not self.client_secret

    def secret_matches(self, secret: str | None) -> bool:
        """Constant-time comparison of a presented secret with this client's."""
        if self.is_public:
            return not secret
        return secret is not None and hmac.compare_digest(secret.encode(), self.client_secret.encode())


DEMO_CLIENT = RegisteredClient(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, (DEMO_REDIRECT_URI,))


def _check_redirect_uri(uri: str, shown: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        # The URI is not echoed: with a colon in the secret, part of the secret would land in it.
        raise SandboxConfigError(
            f"client {shown}: the text after the second colon must be an absolute http(s) redirect URI "
            "without a fragment (a secret cannot contain ':')"
        )


def parse_client_spec(spec: str) -> RegisteredClient:
    """Parse ``ID:SECRET:REDIRECT_URI``, split on the first two colons (the URI has its own).

    An empty SECRET (``ID::URI``) registers a public client, which must use PKCE.
    Raises :class:`SandboxConfigError` naming the problem, never the secret.
    """
    parts = spec.split(":", 2)
    if len(parts) != 3:
        raise SandboxConfigError(
            "a --client value must look like ID:SECRET:REDIRECT_URI "
            f"(got {len(parts)} colon-separated part{'s' if len(parts) != 1 else ''})"
        )
    client_id, secret, redirect_uri = parts
    if not client_id or any(ch.isspace() for ch in client_id):
        raise SandboxConfigError(f"a --client id must be non-empty and without spaces (got {client_id!r})")
    _check_redirect_uri(redirect_uri, repr(client_id))
    return RegisteredClient(client_id, secret, (redirect_uri,))


def build_registry(clients: Iterable[RegisteredClient], *, include_demo: bool = True) -> Dict[str, RegisteredClient]:
    """Index clients by id; the same id given twice adds redirect URIs (the secrets must agree)."""
    registry: Dict[str, RegisteredClient] = {DEMO_CLIENT_ID: DEMO_CLIENT} if include_demo else {}
    for client in clients:
        known = registry.get(client.client_id)
        if known is None or known is DEMO_CLIENT:
            registry[client.client_id] = client
            continue
        if known.client_secret != client.client_secret:
            raise SandboxConfigError(f"client {client.client_id!r} is registered twice with different secrets")
        uris = known.redirect_uris + tuple(u for u in client.redirect_uris if u not in known.redirect_uris)
        registry[client.client_id] = RegisteredClient(client.client_id, client.client_secret, uris)
    return registry
