"""Builds the xero-python client once and hands out API objects."""

import os

from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.identity import IdentityApi
from xero_python.payrolluk import PayrollUkApi

from .token_store import load_token, save_token

api_client = ApiClient(
    Configuration(oauth2_token=OAuth2Token(client_id=os.environ["XERO_CLIENT_ID"],
                                           client_secret=os.environ["XERO_CLIENT_SECRET"])),
    pool_threads=1,
    oauth2_token_getter=load_token,
    oauth2_token_saver=save_token,
)

accounting_api = AccountingApi(api_client)


def identity():
    return IdentityApi(api_client)


def payroll() -> "PayrollUkApi":
    return PayrollUkApi(api_client)


def tenant_id():
    for connection in identity().get_connections():
        if connection.tenant_type == "ORGANISATION":
            return connection.tenant_id
    return None
