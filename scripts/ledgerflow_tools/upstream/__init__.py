"""Tools that track xero-python upstream: vet each release (``sync``), build the patched fork (``fork``).

They use pip for every download (its configuration applies) and are driven by ``scripts/sync_upstream.py``
and ``scripts/build_fork.py``; the runtime package never imports them.
"""
