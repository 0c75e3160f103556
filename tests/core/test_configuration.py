import pytest
from xero_python.api_client.configuration import Configuration as XeroConfiguration

from ledgerflow_xero import Configuration, InvalidHostError, InvalidSourceError, Source

from .conftest import oauth2_token


def test_each_call_builds_its_own_configuration():
    first_token, second_token = oauth2_token(), oauth2_token()
    first = Configuration(oauth2_token=first_token, source=1004)
    second = Configuration(oauth2_token=second_token, source="sage-accounting", host="http://127.0.0.1:9")
    assert first is not second
    assert first.oauth2_token is first_token and second.oauth2_token is second_token
    assert first.source is Source.QUICKBOOKS_ONLINE and second.source is Source.SAGE_ACCOUNTING
    assert first.host == "https://xero.api.ledgerscope.com" and second.host == "http://127.0.0.1:9"
    assert isinstance(first, XeroConfiguration)


def test_xero_pythons_own_configuration_still_shares_its_first_instance():
    """The upstream defect our class works around (issue 99): if this starts failing,
    upstream fixed it and the workaround can be reviewed."""
    a, b = XeroConfiguration(oauth2_token=oauth2_token()), XeroConfiguration(oauth2_token=oauth2_token())
    assert a.oauth2_token is b.oauth2_token


def test_environment_supplies_defaults_and_arguments_win(monkeypatch):
    monkeypatch.setenv("LEDGERFLOW_SOURCE", "qbo")
    monkeypatch.setenv("LEDGERFLOW_HOST", "https://xero.api.ledgerscope.dev")
    from_env = Configuration()
    assert from_env.source is Source.QUICKBOOKS_ONLINE and from_env.host == "https://xero.api.ledgerscope.dev"
    explicit = Configuration(source=1001, host="http://localhost:8080")
    assert explicit.source is Source.SAGE_DESKTOP_UK and explicit.host == "http://localhost:8080"


def test_no_source_anywhere_means_untouched():
    configuration = Configuration()
    assert configuration.ledgerflow_router is None
    assert configuration.source is None and configuration.host is None
    assert repr(configuration) == "Configuration(ledgerflow=off)"


def test_bad_settings_fail_at_construction(monkeypatch):
    with pytest.raises(InvalidSourceError, match="'quickbook'"):
        Configuration(source="quickbook")
    with pytest.raises(InvalidHostError, match="http on a non-loopback"):
        Configuration(source=1004, host="http://ledgerflow.example")
    with pytest.raises(InvalidSourceError, match="no source"):
        Configuration(host="https://xero.api.ledgerscope.dev")
    monkeypatch.setenv("LEDGERFLOW_SOURCE", "1002")
    with pytest.raises(InvalidSourceError, match="'1002'"):
        Configuration()


def test_repr_names_source_and_host_but_no_secret():
    token = oauth2_token()
    token.update_token(
        access_token="at-secret", scope=["openid"], expires_in=1, token_type="Bearer", refresh_token="rt-secret"
    )
    configuration = Configuration(oauth2_token=token, source=1009)
    text = repr(configuration)
    assert text == "Configuration(source=1009, host='https://xero.api.ledgerscope.com')"
    assert "secret" not in text


def test_use_ledgerflow_switches_an_existing_configuration():
    configuration = Configuration(source=1004)
    configuration.use_ledgerflow("sage-desktop-uk", "http://127.0.0.1:5000")
    assert configuration.source is Source.SAGE_DESKTOP_UK and configuration.host == "http://127.0.0.1:5000"
