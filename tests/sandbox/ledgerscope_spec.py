"""The Ledgerscope accounting spec (Xero's 16.1.0 with the vendor's delta applied) as JSON Schemas,
for validating the sandbox's answers — and the ONE place the spec's own defects are worked around.

The spec is built with helper script ``scripts/generate_surface.py`` (``load_inputs`` + ``apply_delta``)
from ``../shared/specs``, so the schemas are exactly the vendor's contract. :func:`fix_spec_defects`
lists every deviation this project makes from it, and why.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import jsonschema

REPO = Path(__file__).resolve().parents[2]


def _generator() -> Any:
    path = REPO / "scripts" / "generate_surface.py"
    spec = importlib.util.spec_from_file_location("ledgerflow_generate_surface", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


FIXES: List[str] = []
"""What :func:`fix_spec_defects` changed, one line each (the contract test prints the count)."""


def fix_spec_defects(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Work around the Ledgerscope spec's own defects; everything else is validated as published.

    1. Booleans published as strings: a ``default``/``example`` of ``"false"`` where the schema says
       ``type: boolean`` (17 properties such as ``HasAttachments``; the delta sets RepeatingInvoice's
       to strings too). JSON Schema does not validate them, but they are turned into the booleans
       they mean so no tool trips over them.
    2. References to schemas the spec no longer has resolve to ``{}`` (any value) instead of failing
       to resolve: ``BrandingTheme``, which the delta deletes while a schema still points at it
       (the actions meant to remove that property target ``allOf`` schemas only the vendor's
       unpublished first delta creates), and ``Connection``, which ``addChildFromFile`` copies
       ``/Connections`` in with but not its schema.
    """
    fixed = copy.deepcopy(spec)
    schemas = fixed.setdefault("components", {}).setdefault("schemas", {})

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "boolean":
                for key in ("default", "example"):
                    if isinstance(node.get(key), str) and node[key].lower() in ("true", "false"):
                        node[key] = node[key].lower() == "true"
                        FIXES.append(f"boolean {key} given as a string: {where}")
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in schemas:
                    del node["$ref"]
                    FIXES.append(f"dangling $ref {name}: {where}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(fixed.get("components", {}), "#/components")
    walk(fixed.get("paths", {}), "#/paths")
    return fixed


@lru_cache(maxsize=1)
def ledgerscope_spec(specs_dir: str) -> Dict[str, Any]:
    """The Ledgerscope spec, defects worked around (cached: building it takes a few seconds)."""
    generator = _generator()
    spec, delta, identity = generator.load_inputs(Path(specs_dir))
    applied, _ = generator.apply_delta(spec, delta, identity)
    return fix_spec_defects(applied)


def response_validator(spec: Dict[str, Any], path_template: str, method: str = "get",
                       status: str = "200") -> Tuple[jsonschema.protocols.Validator, str]:
    """A JSON Schema validator for one operation's answer, and the schema's name."""
    media = spec["paths"][path_template][method]["responses"][status]["content"]["application/json"]["schema"]
    schema = dict(media, components=spec["components"])
    name = str(media.get("$ref", "inline")).rsplit("/", 1)[-1]
    return jsonschema.Draft7Validator(schema), name
