"""The xero-python classes this package wraps, imported in one place.

xero-python ships no type information, so they are typed here as ``Any``: the package's own
code stays strictly typed, and every name it takes from xero-python is listed below.
"""

from typing import Any

from xero_python.api_client import ApiClient as _ApiClient
from xero_python.api_client.configuration import Configuration as _Configuration
from xero_python.exceptions import HTTPStatusException as _HTTPStatusException
from xero_python.rest import RESTClientObject as _RESTClientObject

XeroApiClient: Any = _ApiClient
XeroConfiguration: Any = _Configuration
HTTPStatusException: Any = _HTTPStatusException
RESTClientObject: Any = _RESTClientObject
