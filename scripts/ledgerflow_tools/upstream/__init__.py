"""Tools that track xero-python upstream: vet each release (``sync``), build the patched fork (``fork``).

They need the ``tools`` extra (``requests``) and are driven by ``scripts/sync_upstream.py``
and ``scripts/build_fork.py``; the runtime package never imports them.
"""
