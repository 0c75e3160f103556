import pytest

from ledgerflow_xero import InvalidSourceError, LedgerflowError, Source
from ledgerflow_xero.sources import parse_source


@pytest.mark.parametrize(
    "value, expected",
    [
        (Source.QUICKBOOKS_ONLINE, Source.QUICKBOOKS_ONLINE),
        (1001, Source.SAGE_DESKTOP_UK),
        (1004, Source.QUICKBOOKS_ONLINE),
        (1009, Source.SAGE_ACCOUNTING),
        ("1001", Source.SAGE_DESKTOP_UK),
        ("1004", Source.QUICKBOOKS_ONLINE),
        ("1009", Source.SAGE_ACCOUNTING),
        ("quickbooks", Source.QUICKBOOKS_ONLINE),
        ("QuickBooks-Online", Source.QUICKBOOKS_ONLINE),
        ("QBO", Source.QUICKBOOKS_ONLINE),
        ("quickbooks_online", Source.QUICKBOOKS_ONLINE),
        ("QUICKBOOKS_ONLINE", Source.QUICKBOOKS_ONLINE),
        ("sage-accounting", Source.SAGE_ACCOUNTING),
        ("Sage_Accounting", Source.SAGE_ACCOUNTING),
        ("sbca", Source.SAGE_ACCOUNTING),
        ("sage-desktop-uk", Source.SAGE_DESKTOP_UK),
        ("sage50", Source.SAGE_DESKTOP_UK),
        ("SAGE_DESKTOP_UK", Source.SAGE_DESKTOP_UK),
    ],
)
def test_accepted_forms_name_the_source(value, expected):
    parsed = parse_source(value)
    assert parsed is expected
    assert str(parsed) == str(expected.value)


@pytest.mark.parametrize(
    "value",
    [
        1002,
        "1002",
        0,
        -1004,
        "",
        " 1004",
        "1004 ",
        "01004",
        "1004/../admin",
        "1004?x=1",
        "١٠٠٤",
        "xero",
        None,
        True,
        1004.0,
        [1004],
        "https://x@evil",
    ],
)
def test_refused_forms_raise_a_typed_error_naming_the_value(value):
    with pytest.raises(InvalidSourceError) as caught:
        parse_source(value)
    message = str(caught.value)
    assert repr(value) in message
    assert "1001" in message and "1004" in message and "1009" in message and "quickbooks" in message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, LedgerflowError)


def test_ids_added_later_need_an_explicit_opt_in():
    with pytest.raises(InvalidSourceError, match="allow_unknown_source"):
        parse_source(1013)
    assert parse_source(1013, allow_unknown=True) == 1013
    assert parse_source("2001", allow_unknown=True) == 2001
    for still_bad in (0, -5, "abc", "1013 "):
        with pytest.raises(InvalidSourceError):
            parse_source(still_bad, allow_unknown=True)
