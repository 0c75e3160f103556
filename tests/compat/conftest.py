"""The compatibility runner is maintainer tooling in scripts/ledgerflow_tools, not in the package."""

from tests.tools_path import add_tools_to_path

add_tools_to_path()
