"""Token validation against signing keys and an issuer published on a loopback server,
with RSA keys generated in the test session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time

import pytest
from cryptography.hazmat.primitives import serialization

from ledgerflow_xero import MissingExtraError, TokenValidationError, validate_access_token, validate_id_token

from .conftest import CLIENT_ID, SOURCE, Identity


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made_token(header: dict, claims: dict, sign) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def validate(identity: Identity, token: str, **kwargs):
    return validate_id_token(token, client_id=CLIENT_ID, source=SOURCE, host=identity.server.host, **kwargs)


def failure(identity: Identity, token: str, **kwargs) -> TokenValidationError:
    with pytest.raises(TokenValidationError) as raised:
        validate(identity, token, **kwargs)
    return raised.value


def fetches(identity: Identity) -> tuple:
    server = identity.server
    return len(server.requests_to(identity.openid_path)), len(server.requests_to(identity.jwks_path))


def test_a_good_id_token_passes_and_its_claims_come_back(identity: Identity) -> None:
    claims = validate(identity, identity.mint(email="a@example.com"))
    assert claims["sub"] == "user-1" and claims["email"] == "a@example.com"
    assert claims["iss"] == identity.issuer and claims["aud"] == CLIENT_ID


def test_keys_and_issuer_are_fetched_from_the_source_path_and_cached(identity: Identity) -> None:
    validate(identity, identity.mint())
    validate(identity, identity.mint(sub="user-2"))
    assert fetches(identity) == (1, 1)
    assert {r.path for r in identity.server.requests} == {
        "/1004/.well-known/openid-configuration",
        "/1004/.well-known/openid-configuration/jwks",
    }


def test_tampered_payload_fails_the_signature_check(identity: Identity) -> None:
    header, payload, signature = identity.mint().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "admin"
    tampered = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"
    error = failure(identity, tampered)
    assert error.check == "signature" and "signature" in str(error)


def test_a_token_signed_by_another_key_fails_the_signature_check(identity: Identity) -> None:
    error = failure(identity, identity.mint(key="other"))
    assert error.check == "signature" and "signature check failed" in str(error)


def test_an_unknown_kid_refetches_the_keys_once_then_fails(identity: Identity) -> None:
    validate(identity, identity.mint())
    error = failure(identity, identity.mint(kid="kid-nobody-published"))
    assert error.check == "signing key" and "kid-nobody-published" in str(error)
    assert fetches(identity) == (1, 2)


def test_a_rotated_key_is_picked_up_by_the_refetch(identity: Identity) -> None:
    validate(identity, identity.mint())
    identity.publish(**{"kid-1": "good", "kid-2": "other"})
    assert validate(identity, identity.mint(key="other", kid="kid-2"))["sub"] == "user-1"
    assert fetches(identity) == (1, 2)


def test_expired_fails_the_expiry_check(identity: Identity) -> None:
    now = int(time.time())
    error = failure(identity, identity.mint(iat=now - 1000, nbf=now - 1000, exp=now - 121 - 5))
    assert error.check == "expiry" and "expiry check failed" in str(error)


def test_expiry_allows_the_leeway(identity: Identity) -> None:
    now = int(time.time())
    token = identity.mint(iat=now - 1000, nbf=now - 1000, exp=now - 60)
    assert validate(identity, token)["sub"] == "user-1"
    assert failure(identity, token, leeway=10).check == "expiry"


def test_not_yet_valid_fails_the_not_before_check(identity: Identity) -> None:
    error = failure(identity, identity.mint(nbf=int(time.time()) + 600))
    assert error.check == "not-before" and "not-before check failed" in str(error)


def test_wrong_audience_fails_the_audience_check(identity: Identity) -> None:
    error = failure(identity, identity.mint(aud="someone-else"))
    assert error.check == "audience" and "audience check failed" in str(error)


def test_missing_audience_fails(identity: Identity) -> None:
    error = failure(identity, identity.mint(aud=None))
    assert error.check == "required claims" and "aud" in str(error)


def test_wrong_issuer_fails_the_issuer_check(identity: Identity) -> None:
    error = failure(identity, identity.mint(iss="https://ledgerflow.example/evil"))
    assert error.check == "issuer" and "issuer check failed" in str(error)


def test_xeros_issuer_is_not_accepted_for_a_ledgerflow_token(identity: Identity) -> None:
    assert failure(identity, identity.mint(iss="https://identity.xero.com")).check == "issuer"


def test_alg_none_fails_the_algorithm_check(identity: Identity) -> None:
    token = hand_made_token({"alg": "none", "typ": "JWT", "kid": "kid-1"}, identity.claims(), lambda _: b"")
    error = failure(identity, token)
    assert error.check == "algorithm" and "algorithm check failed" in str(error) and "'none'" in str(error)


def test_hs256_signed_with_the_public_key_fails_the_algorithm_check(identity: Identity) -> None:
    public_pem = identity.keys["good"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_made_token(
        {"alg": "HS256", "typ": "JWT", "kid": "kid-1"},
        identity.claims(),
        lambda data: hmac.new(public_pem, data, hashlib.sha256).digest(),
    )
    error = failure(identity, token)
    assert error.check == "algorithm" and "'HS256'" in str(error)


def test_garbage_fails_the_format_check(identity: Identity) -> None:
    assert failure(identity, "not-a-jwt").check == "format"
    assert failure(identity, "").check == "format"


def test_nonce_is_checked_when_given(identity: Identity) -> None:
    token = identity.mint(nonce="n-1")
    assert validate(identity, token, nonce="n-1")["nonce"] == "n-1"
    assert failure(identity, token, nonce="n-2").check == "nonce"


def test_an_access_token_is_validated_without_audience(identity: Identity) -> None:
    token = identity.mint(aud="https://api.example/resources")
    claims = validate_access_token(token, source=SOURCE, host=identity.server.host)
    assert claims["aud"] == "https://api.example/resources"
    with pytest.raises(TokenValidationError) as raised:
        validate_access_token(identity.mint(key="other"), source=SOURCE, host=identity.server.host)
    assert raised.value.check == "signature"


def test_a_configuration_without_issuer_fails_closed(identity: Identity) -> None:
    identity.server.answer("GET", identity.openid_path, 200, {"jwks_uri": "x"})
    error = failure(identity, identity.mint())
    assert error.check == "issuer" and "publishes no issuer" in str(error)


def test_unreachable_signing_keys_fail_closed(identity: Identity) -> None:
    identity.server.answer("GET", identity.jwks_path, 503, b"down")
    error = failure(identity, identity.mint())
    assert error.check == "signing key" and "HTTP 503" in str(error)


def test_concurrent_validations_fetch_the_keys_once(identity: Identity) -> None:
    tokens = [identity.mint(sub=f"user-{n}") for n in range(8)]
    results, errors = [], []

    def run(token: str) -> None:
        try:
            results.append(validate(identity, token)["sub"])
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == sorted(f"user-{n}" for n in range(8))
    assert fetches(identity) == (1, 1)


def test_the_cache_is_per_source(identity: Identity) -> None:
    validate(identity, identity.mint())
    with pytest.raises(TokenValidationError):  # nothing is published for 1009 on the loopback server
        validate_id_token(identity.mint(), client_id=CLIENT_ID, source=1009, host=identity.server.host)
    assert [r.path for r in identity.server.requests][-1] == "/1009/.well-known/openid-configuration"


def test_without_pyjwt_validation_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)
    monkeypatch.setitem(sys.modules, "jwt.algorithms", None)
    with pytest.raises(MissingExtraError, match=r"ledgerflow-xero\[oauth\]"):
        validate_id_token("a.b.c", client_id=CLIENT_ID, source=SOURCE)


def test_the_package_imports_without_pyjwt() -> None:
    code = (
        "import sys; sys.modules['jwt'] = None\n"
        "import ledgerflow_xero\n"
        "print(ledgerflow_xero.authorization_url('c', 'https://a.example/cb', 'openid', source=1004).url[:40])\n"
        "print('jwt' in sys.modules and sys.modules['jwt'] is None)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://xero.api.ledgerscope.com/1004/id", "True"]
