"""``ledgerflow-xero authorize-url``."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from ledgerflow_xero.cli import main
from ledgerflow_xero.oauth import code_challenge

ARGS = ["authorize-url", "--source", "qbo", "--client-id", "cid", "--redirect-uri", "https://app.example/cb",
        "--scope", "openid offline_access"]


def test_json_output_has_url_state_and_verifier(capsys) -> None:
    assert main([*ARGS, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"url", "state", "code_verifier"}
    split = urlsplit(printed["url"])
    assert split.path == "/1004/identity/connect/authorize" and split.netloc == "xero.api.ledgerscope.com"
    params = parse_qs(split.query)
    assert params["scope"] == ["openid offline_access"] and params["client_id"] == ["cid"]
    assert params["state"] == [printed["state"]]
    assert params["code_challenge"] == [code_challenge(printed["code_verifier"])]


def test_plain_output_and_options(capsys) -> None:
    assert main([*ARGS, "--host", "http://localhost:8765", "--state", "s-1", "--no-pkce"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("http://localhost:8765/1004/identity/connect/authorize?")
    assert "code_challenge" not in lines[0]
    assert lines[1:] == ["state: s-1"]


def test_bad_source_exits_2_naming_it(capsys) -> None:
    arguments = list(ARGS)
    arguments[2] = "nonsense"
    assert main(arguments) == 2
    assert "'nonsense'" in capsys.readouterr().err
