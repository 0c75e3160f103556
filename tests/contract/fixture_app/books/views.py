"""Pages of the app: read the books, and a couple of things the app also writes."""

from flask import Blueprint, jsonify, request, send_file
from xero_python.accounting import Contact, Contacts, Invoice, Invoices

from .xero_client import accounting_api, payroll, tenant_id

pages = Blueprint("pages", __name__)

REPORTS = ("get_report_profit_and_loss", "get_report_balance_sheet", "get_report_budget_summary")


@pages.route("/invoices")
def invoices():
    page = int(request.args.get("page", 1))
    found = accounting_api.get_invoices(tenant_id(), page=page, statuses=["AUTHORISED"])
    return jsonify([invoice.invoice_number for invoice in found.invoices])


@pages.route("/invoices/<invoice_id>.pdf")
def invoice_pdf(invoice_id):
    return send_file(accounting_api.get_invoice_as_pdf(tenant_id(), invoice_id), mimetype="application/pdf")


@pages.route("/invoices/new", methods=["POST"])
def new_invoice():
    contact = Contact(name=request.form["customer"])
    accounting_api.create_contacts(tenant_id(), contacts=Contacts(contacts=[contact]))
    invoice = Invoice(type="ACCREC", contact=contact)
    accounting_api.create_invoices(tenant_id(), invoices=Invoices(invoices=[invoice]))
    return "", 201


@pages.route("/reports")
def reports():
    tenant = tenant_id()
    results = {}
    for name in REPORTS:
        results[name] = getattr(accounting_api, name)(tenant)
    return jsonify(results)


@pages.route("/reports/<name>")
def any_report(name):
    return jsonify(getattr(accounting_api, name)(tenant_id()))


def overdue(api, tenant):
    return api.get_invoices(tenant, where='Status=="AUTHORISED" AND DueDate<DateTime.Today')


@pages.route("/overdue")
def overdue_page():
    return jsonify(overdue(accounting_api, tenant_id()).invoices)


@pages.route("/staff")
def staff():
    return jsonify(payroll().get_employees(tenant_id()))
