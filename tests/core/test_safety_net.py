"""The safety net every test relies on must itself be able to fail."""

import socket

import pytest
import urllib3

from ledgerflow_xero.cli import main


def test_the_spy_refuses_and_records_a_xero_lookup(no_xero_traffic):
    with pytest.raises(OSError, match="refused DNS lookup of Xero host"):
        socket.getaddrinfo("Identity.Xero.com", 443)
    assert no_xero_traffic.xero_hosts == ["Identity.Xero.com"]
    no_xero_traffic.forget()  # seen and asserted: let teardown pass


def test_the_spy_records_a_plain_urllib3_request_to_xero(no_xero_traffic):
    with pytest.raises(urllib3.exceptions.HTTPError):
        urllib3.PoolManager(retries=False).request("GET", "https://api.xero.com/connections")
    assert "api.xero.com" in no_xero_traffic.xero_hosts
    no_xero_traffic.forget()


def test_the_spy_records_a_connection_made_without_a_lookup(no_xero_traffic):
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, socket.socket() as client:
        client.connect(listener.getsockname())
    assert no_xero_traffic.connections == ["127.0.0.1"]


def test_route_command_prints_each_mapped_url(capsys):
    status = main(["route", "--source", "qbo", "https://api.xero.com/Connections", "http://127.0.0.1:1/x"])
    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        "https://xero.api.ledgerscope.com/1004/connections",
        "http://127.0.0.1:1/x",
    ]


def test_route_command_reports_a_refusal_as_an_error(capsys):
    assert main(["route", "--source", "1004", "https://api.xero.com/payroll.xro/1.0/Employees"]) == 2
    assert "payroll" in capsys.readouterr().err
