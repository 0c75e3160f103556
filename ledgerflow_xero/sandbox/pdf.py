"""A minimal PDF writer (standard library only) for the sandbox's ``Accept: application/pdf`` answers.

Xero answers ``GET /Invoices/{InvoiceID}`` (and credit notes) with the document as a PDF when asked
with ``Accept: application/pdf``; xero-python's ``get_invoice_as_pdf`` does exactly that. The
sandbox renders the record as text lines on A4 pages in Helvetica: a small, valid PDF 1.4 file
(catalog, page tree, one content stream per page, a cross-reference table and trailer) that any
viewer opens and any test can search for the document number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, List, Mapping, Sequence

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN, _LEADING, _FONT_SIZE = 56, 15, 10
LINES_PER_PAGE = (_PAGE_HEIGHT - 2 * _MARGIN) // _LEADING


def _pdf_text(text: str) -> bytes:
    """A PDF literal string: WinAnsi-ish Latin-1, with its three special characters escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", " ").replace("\n", " ")
    return b"(" + escaped.encode("latin-1", "replace") + b")"


def render_pdf(lines: Sequence[str], *, title: str = "") -> bytes:
    """A PDF document showing ``lines`` top to bottom, as many A4 pages as they need."""
    pages = [list(lines[i : i + LINES_PER_PAGE]) for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    # Object numbers: 1 catalog, 2 page tree, 3 font, 4 info, then a (page, content) pair per page.
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects: List[bytes] = [b"", b"", font]
    objects.append(b"<< /Producer (ledgerflow-xero sandbox) /Title " + _pdf_text(title) + b" >>")
    kids = []
    for number, page_lines in enumerate(pages):
        page_ref, content_ref = 5 + 2 * number, 6 + 2 * number
        kids.append(f"{page_ref} 0 R".encode())
        stream = b"BT /F1 %d Tf %d TL %d %d Td\n" % (_FONT_SIZE, _LEADING, _MARGIN, _PAGE_HEIGHT - _MARGIN)
        stream += b"".join(_pdf_text(line) + b" Tj T*\n" for line in page_lines) + b"ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (_PAGE_WIDTH, _PAGE_HEIGHT, content_ref)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the binary comment tells transfer tools it is binary
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def _date(value: Any) -> str:
    """Xero's ``/Date(ms+0000)/`` or an ISO date, as YYYY-MM-DD; anything else as given."""
    text = str(value or "")
    if text.startswith("/Date("):
        millis = int(text[6:].split("+")[0].split("-")[0].split(")")[0])
        return dt.datetime.fromtimestamp(millis / 1000, dt.timezone.utc).strftime("%Y-%m-%d")
    return text[:10]


def _amount(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""


_KINDS = {
    ("Invoice", "ACCREC"): "Tax invoice",
    ("Invoice", "ACCPAY"): "Bill",
    ("CreditNote", "ACCRECCREDIT"): "Credit note",
    ("CreditNote", "ACCPAYCREDIT"): "Supplier credit note",
}


def document_lines(record: Mapping[str, Any], organisation_name: str) -> List[str]:
    """The text of an invoice or credit note record (Xero's JSON shape), line by line."""
    kind = "CreditNote" if "CreditNoteID" in record else "Invoice"
    number = record.get("InvoiceNumber") if kind == "Invoice" else record.get("CreditNoteNumber")
    heading = _KINDS.get((kind, str(record.get("Type", ""))), "Credit note" if kind == "CreditNote" else "Invoice")
    currency = record.get("CurrencyCode", "")
    contact = record.get("Contact") or {}
    lines = [
        organisation_name,
        "",
        f"{heading} {number or ''}".strip(),
        f"To: {contact.get('Name', '')}",
        f"Date: {_date(record.get('DateString') or record.get('Date'))}",
    ]
    if record.get("DueDate") or record.get("DueDateString"):
        lines.append(f"Due: {_date(record.get('DueDateString') or record.get('DueDate'))}")
    if record.get("Reference"):
        lines.append(f"Reference: {record['Reference']}")
    lines += [f"Status: {record.get('Status', '')}", "", "Description | Quantity | Unit price | Amount"]
    for item in record.get("LineItems") or []:
        lines.append(
            f"{item.get('Description', '')} | {item.get('Quantity', '')} | "
            f"{_amount(item.get('UnitAmount'))} | {_amount(item.get('LineAmount'))}"
        )
    lines += [
        "",
        f"Subtotal: {_amount(record.get('SubTotal'))} {currency}",
        f"Tax: {_amount(record.get('TotalTax'))} {currency}",
        f"Total: {_amount(record.get('Total'))} {currency}",
    ]
    due = record.get("AmountDue", record.get("RemainingCredit"))
    if due is not None:
        lines.append(f"{'Amount due' if kind == 'Invoice' else 'Remaining credit'}: {_amount(due)} {currency}")
    return lines


def render_document(record: Mapping[str, Any], organisation_name: str) -> bytes:
    """An invoice or credit note as a PDF."""
    number = record.get("InvoiceNumber") or record.get("CreditNoteNumber") or ""
    return render_pdf(document_lines(record, organisation_name), title=str(number))
