"""Synthetic xero-python releases for the sync tests: a few small files written here, shaped
like the parts of the SDK the checks read (no xero-python code is copied).

Xero URLs come from the routing table, so the tests name no host themselves.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Dict
from urllib.parse import urlsplit

from ledgerflow_xero.routing import XERO_DOMAIN, XERO_URLS


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
CALL_API = (
    "    def call_api(self, url, method, **options):\n"
    "        return self.__call_api(url, method, **options)\n"
    "\n"
    "    def __call_api(self, url, method, **options):\n"
    "        return self.request(method, url)\n"
)
REST = (
    "import urllib3\n"
    "\n"
    "\n"
    "class RESTClientObject:\n"
    "    def __init__(self, configuration):\n"
    "        self.pool_manager = urllib3.PoolManager()\n"
    "\n"
    "    def send(self, method, url):\n"
    "        return self.pool_manager.request(method, url)\n"
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
        "xero_python/__init__.py": '"""A synthetic SDK for tests."""\n',
        "xero_python/api_client/__init__.py": "class ApiClient:\n" + CALL_API + "\n" + REQUEST,
        "xero_python/rest.py": REST,
        "xero_python/api_client/configuration.py": CONFIGURATION,
        "xero_python/api_client/oauth2.py": (
            "class TokenApi:\n"
            f'    client_credentials_token_url = "{XERO_URLS["token"]}"\n'
            f'    refresh_token_url = "{XERO_URLS["token"]}"\n'
            f'    revoke_token_url = "{XERO_URLS["revocation"]}"\n'
            "\n"
            "    def refresh_token(self, refresh_token):\n"
            '        return self.api_client.call_api(self.refresh_token_url, "POST")\n'
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
    """A ``.tar.gz`` with ``files`` under ``xero_python-{version}/``, as an sdist is laid out, with
    the ``setup.py`` and ``PKG-INFO`` that name the version (pip reads them)."""
    files = {
        "setup.py": f"from setuptools import setup\nsetup(name='xero_python', version='{version}', packages=[])\n",
        "PKG-INFO": f"Metadata-Version: 2.1\nName: xero_python\nVersion: {version}\n",
        **files,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"xero_python-{version}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_index(directory: Path, sdists: Dict[str, bytes]) -> str:
    """A PEP 503 "simple" package index in ``directory`` listing ``sdists`` (version -> bytes);
    returns its ``file://`` URL for ``--index-url``."""
    project = directory / "xero-python"
    project.mkdir(parents=True, exist_ok=True)
    links = []
    for version, data in sdists.items():
        name = f"xero_python-{version}.tar.gz"
        (project / name).write_bytes(data)
        links.append(f'<a href="{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>')
    (project / "index.html").write_text("<html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    return directory.resolve().as_uri()
