"""Synthetic xero-python releases for the sync tests: a few small files written here, shaped
like the parts of the SDK the checks read (no xero-python code is copied).

Xero URLs come from the routing table, so the tests name no host themselves.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import Dict
from urllib.parse import urlsplit

from ledgerflow_xero.routing import XERO_DOMAIN, XERO_URLS

PYPI_JSON = "https://pypi.org/pypi/xero-python/json"
FILES_HOST = "https://files.example.test/packages"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


API_HOST = origin(XERO_URLS["accounting"])  # Xero's API host
NEW_XERO_HOST = f"https://ledger.{XERO_DOMAIN}"  # a host no release has used

REQUEST = (
    "    def request(self, method, url, query_params=None, headers=None, post_params=None,\n"
    "                body=None, _preload_content=True, _request_timeout=None):\n"
    '        """Send one request."""\n'
    "        return self.rest_client.send(method, url)\n"
)

CONFIGURATION = (
    "class Configuration:\n"
    '    """Settings for a client."""\n'
    "\n"
    "    def __init__(self, debug=False):\n"
    "        self.debug = debug\n"
)

# A patch of the kind patches/ holds, against CONFIGURATION above.
PATCH = "\n".join(
    [
        "--- a/xero_python/api_client/configuration.py",
        "+++ b/xero_python/api_client/configuration.py",
        "@@ -1,5 +1,6 @@",
        " class Configuration:",
        '     """Settings for a client."""',
        " ",  # an empty context line is one space in a unified diff
        "-    def __init__(self, debug=False):",
        "+    def __init__(self, debug=False, api_host=None):",
        "         self.debug = debug",
        "+        self.api_host = api_host",
        "",
    ]
)


def release_files() -> Dict[str, str]:
    """A clean release: an API client, a token API, an accounting and an identity API class."""
    return {
        "setup.py": "from setuptools import setup\nsetup(name='xero_python')\n",
        "xero_python/__init__.py": '"""A synthetic SDK for tests."""\n',
        "xero_python/api_client/__init__.py": "class ApiClient:\n" + REQUEST,
        "xero_python/api_client/configuration.py": CONFIGURATION,
        "xero_python/api_client/oauth2.py": (
            "class TokenApi:\n"
            f'    client_credentials_token_url = "{XERO_URLS["token"]}"\n'
            f'    refresh_token_url = "{XERO_URLS["token"]}"\n'
            f'    revoke_token_url = "{XERO_URLS["revocation"]}"\n'
        ),
        "xero_python/accounting/api/accounting_api.py": (
            '"""The accounting API; see https://developer.' + XERO_DOMAIN + '/documentation."""\n'
            "\n"
            "class AccountingApi:\n"
            f'    base_url = "{XERO_URLS["accounting"]}"\n'
            "\n"
            "    def get_invoices(self):\n"
            '        return self.get_resource_url("/Invoices")\n'
        ),
        "xero_python/identity/api/identity_api.py": (
            "class IdentityApi:\n"
            f'    base_url = "{API_HOST}"\n'
            "\n"
            "    def get_connections(self):\n"
            '        return self.get_resource_url("/Connections")\n'
        ),
    }


def sdist_bytes(version: str, files: Dict[str, str]) -> bytes:
    """A ``.tar.gz`` with ``files`` under ``xero_python-{version}/``, as an sdist is laid out."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"xero_python-{version}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def pypi_document(sdists: Dict[str, bytes]) -> dict:
    """PyPI's JSON answer listing one sdist per version (with its SHA-256), plus a pre-release."""
    releases = {
        version: [
            {
                "packagetype": "sdist",
                "filename": f"xero_python-{version}.tar.gz",
                "url": f"{FILES_HOST}/xero_python-{version}.tar.gz",
                "digests": {"sha256": hashlib.sha256(data).hexdigest()},
                "size": len(data),
                "yanked": False,
            }
        ]
        for version, data in sdists.items()
    }
    releases["99.0.0rc1"] = [dict(releases[next(iter(releases))][0], filename="xero_python-99.0.0rc1.tar.gz")]
    return {"info": {"name": "xero-python"}, "releases": releases}
