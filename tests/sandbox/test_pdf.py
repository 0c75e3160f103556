"""The sandbox's PDF writer: valid structure (header, objects at the offsets the xref table gives,
trailer, startxref), text a reader can extract, and the document number in it."""

from __future__ import annotations

import io
import re

import pytest

from ledgerflow_xero.sandbox.pdf import LINES_PER_PAGE, render_document, render_pdf

INVOICE = {
    "InvoiceID": "6b1f0b0e-0000-4000-8000-000000000001",
    "Type": "ACCREC",
    "InvoiceNumber": "INV-0042",
    "Contact": {"Name": "Penrose (Interiors) \\ Ltd"},
    "Date": "/Date(1735689600000+0000)/",
    "DueDate": "/Date(1738368000000+0000)/",
    "Status": "AUTHORISED",
    "LineItems": [{"Description": "Oak door", "Quantity": 2, "UnitAmount": 240.0, "LineAmount": 480.0}],
    "SubTotal": 480.0,
    "TotalTax": 96.0,
    "Total": 576.0,
    "AmountDue": 576.0,
    "CurrencyCode": "GBP",
}


def check_structure(document: bytes) -> int:
    """Assert the file is well-formed PDF; return its object count."""
    assert document.startswith(b"%PDF-1.")
    assert document.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\s*$", document).group(1))
    assert document[startxref:].startswith(b"xref\n0 ")
    header = re.match(rb"xref\n0 (\d+)\n", document[startxref:])
    size = int(header.group(1))
    table = document[startxref + header.end():].split(b"trailer", 1)[0]
    entries = [table[i:i + 20] for i in range(0, len(table), 20)]
    assert len(entries) == size and entries[0] == b"0000000000 65535 f \n"
    for number, entry in enumerate(entries[1:], start=1):
        offset = int(entry[:10])
        assert entry.endswith(b" 00000 n \n")
        assert document[offset:].startswith(b"%d 0 obj\n" % number), number
    trailer = document.split(b"trailer", 1)[1]
    assert b"/Size %d" % size in trailer and b"/Root 1 0 R" in trailer
    for stream in re.finditer(rb"<< /Length (\d+) >>\nstream\n", document):
        end = stream.end() + int(stream.group(1))
        assert document[end:end + 10] == b"\nendstream"
    return size - 1


def test_an_invoice_renders_as_a_valid_pdf_with_its_number():
    document = render_document(INVOICE, "Hartley & Finch Joinery Ltd")
    assert check_structure(document) == 6
    assert b"(Tax invoice INV-0042) Tj" in document
    assert b"Penrose \\(Interiors\\) \\\\ Ltd" in document  # PDF string escapes
    assert b"(Total: 576.00 GBP) Tj" in document and b"(Due: 2025-02-01) Tj" in document


def test_an_independent_reader_extracts_the_text():
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the PDF independently")
    reader = pypdf.PdfReader(io.BytesIO(render_document(INVOICE, "Hartley & Finch Joinery Ltd")), strict=True)
    text = reader.pages[0].extract_text()
    assert "INV-0042" in text and "Hartley & Finch Joinery Ltd" in text and "Oak door" in text


def test_a_credit_note_says_so():
    note = {"CreditNoteID": "x", "CreditNoteNumber": "CN-7", "Type": "ACCPAYCREDIT", "Total": 10, "RemainingCredit": 4}
    document = render_document(note, "Org")
    check_structure(document)
    assert b"(Supplier credit note CN-7) Tj" in document and b"(Remaining credit: 4.00 ) Tj" in document


def test_many_lines_flow_onto_further_pages():
    document = render_pdf([f"line {n}" for n in range(LINES_PER_PAGE * 2 + 1)])
    assert check_structure(document) == 4 + 2 * 3
    assert b"/Count 3" in document and b"(line %d) Tj" % (LINES_PER_PAGE * 2) in document
