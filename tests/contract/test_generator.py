"""scripts/generate_surface.py: the delta's actions on small hand-made specs, and on the real spec."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict

import pytest

from .conftest import REPO, load_script

gen = load_script("generate_surface")


def spec() -> Dict[str, Any]:
    return {
        "info": {"title": "Xero", "contact": {"name": "Xero team"}},
        "servers": [{"url": "https://api.xero.com/a"}, {"url": "https://api.xero.com/b"}],
        "paths": {
            "/Things": {"get": {"operationId": "getThings"}, "put": {"operationId": "createThings"}},
            "/Things/{ThingID}": {"get": {"operationId": "getThing"}, "post": {"operationId": "updateThing"}},
            "/Things/{ThingID}/History": {"get": {"operationId": "getThingHistory"}},
            "/Gone": {"get": {"operationId": "getGone"}},
            "/Gone/{GoneID}/History": {"get": {"operationId": "getGoneHistory"}},
        },
        "tags": [["a", "b"], ["c", "d"]],
    }


def delta(*actions: Dict[str, Any], fail: bool = True) -> Dict[str, Any]:
    return {"settings": {"failIfNotFound": fail}, "actions": list(actions)}


def test_modify_sets_a_value_and_needle_replaces_inside_it() -> None:
    out, missed = gen.apply_delta(spec(), delta(
        {"action": "modify", "path": "info > title", "content": "Ledgerscope"},
        {"action": "modify", "path": "info > contact > name", "needle": "Xero", "content": "Ledgerscope"},
    ))
    assert (out["info"]["title"], out["info"]["contact"]["name"], missed) == ("Ledgerscope", "Ledgerscope team", [])


def test_wildcards_reach_every_child_of_a_mapping_or_list() -> None:
    out, _ = gen.apply_delta(spec(), delta(
        {"action": "modify", "path": "servers > * > url", "content": "https://ledgerscope/x"},
        {"action": "delete", "path": "paths > * > put"},
    ))
    assert [server["url"] for server in out["servers"]] == ["https://ledgerscope/x"] * 2
    assert "put" not in out["paths"]["/Things"] and "get" in out["paths"]["/Things"]


def test_indexes_pick_one_list_item() -> None:
    out, _ = gen.apply_delta(spec(), delta(
        {"action": "modify", "path": "servers > [1] > url", "content": "second"},
        {"action": "delete", "path": "tags > * > [0]"},
    ))
    assert [server["url"] for server in out["servers"]] == ["https://api.xero.com/a", "second"]
    assert out["tags"] == [["b"], ["d"]]


def test_add_child_and_add_child_from_file() -> None:
    identity = {"paths": {"/Connections": {"get": {"operationId": "getConnections"}}}}
    out, _ = gen.apply_delta(spec(), delta(
        {"action": "addChild", "path": "info", "key": "description", "content": "read-only"},
        {"action": "addChildFromFile", "path": "paths", "filePath": "./id.yaml",
         "fileContentPath": "paths > /Connections", "key": "/Connections"},
    ), identity)
    assert out["info"]["description"] == "read-only"
    assert out["paths"]["/Connections"] == {"get": {"operationId": "getConnections"}}


def test_the_input_spec_is_left_unchanged() -> None:
    original = spec()
    gen.apply_delta(original, delta({"action": "delete", "path": "paths > /Gone"}))
    assert original == spec()


def test_an_action_that_reaches_nothing_fails_when_fail_if_not_found() -> None:
    with pytest.raises(gen.DeltaError, match=r"#1 \(delete paths > /Nope\).*failIfNotFound"):
        gen.apply_delta(spec(), delta({"action": "delete", "path": "paths > /Nope"}))
    _, missed = gen.apply_delta(spec(), delta({"action": "delete", "path": "paths > /Nope"}, fail=False))
    assert [(m.index, m.path) for m in missed] == [(1, "paths > /Nope")]
    # the action's own setting wins over the delta's
    with pytest.raises(gen.DeltaError):
        gen.apply_delta(spec(), delta({"action": "delete", "path": "x", "failIfNotFound": True}, fail=False))


def test_missing_allof_schemas_are_reported_not_fatal() -> None:
    _, missed = gen.apply_delta(spec(), delta(
        {"action": "delete", "path": "components > schemas > * > allOf > [2] > properties > X"}))
    assert len(missed) == 1 and "first delta" in missed[0].why


@pytest.mark.parametrize("bad", [{"action": "rename", "path": "info"}, {"path": "info"}, {"action": "delete",
                                                                                         "path": "a >  > b"}])
def test_malformed_actions_are_named(bad: Dict[str, Any]) -> None:
    with pytest.raises(gen.DeltaError, match="#1|malformed"):
        gen.apply_delta(spec(), delta(bad))


def test_reasons_come_from_the_action_that_removed_the_operation() -> None:
    original = spec()
    result = gen.apply_delta_traced(original, delta(
        {"action": "delete", "path": "paths > * > put"},
        {"action": "delete", "path": "paths > * > post"},
        {"action": "delete", "path": "paths > /Things/{ThingID}/History"},
        {"action": "delete", "path": "paths > /Gone"},
        {"action": "delete", "path": "paths > /Gone/{GoneID}/History"},
    ))
    reasons = {row.operation_id: row.reason for row in gen.classify(result, original)}
    assert reasons == {"getThings": None, "createThings": "write", "getThing": None, "updateThing": "write",
                       "getThingHistory": "sub-resource", "getGone": "resource", "getGoneHistory": "resource"}


def test_snake_case_matches_xero_pythons_method_names() -> None:
    assert gen.snake_case("getContactCISSettings") == "get_contact_cis_settings"
    assert gen.snake_case("getInvoiceAsPdf") == "get_invoice_as_pdf"


# --------------------------------------------------------------------------- the real spec and delta
@pytest.fixture(scope="module")
def surface(shared_dir: Path) -> Any:
    return gen.build_surface(shared_dir / "specs")


def test_the_real_delta_keeps_38_gets_and_removes_the_rest_by_reason(surface: Any) -> None:
    kept = Counter(row.http_method for row in surface.rows if row.reason is None)
    removed = Counter(row.reason for row in surface.rows if row.reason is not None)
    assert len(surface.rows) == 235 and kept == {"GET": 38}
    assert removed == {"write": 99, "sub-resource": 43, "resource": 55}
    assert Counter(row.http_method for row in surface.rows if row.reason == "write") == {
        "PUT": 48, "POST": 44, "DELETE": 7}  # the rest went with their paths, earlier
    assert [(row.http_method, row.path_template) for row in surface.added] == [
        ("DELETE", "/Connections/{id}"), ("GET", "/Connections")]


def test_the_real_delta_reports_the_actions_only_the_first_delta_could_apply(surface: Any) -> None:
    assert [item.index for item in surface.not_applied] == [21, 24, 71, 72, 73, 74, 145]
    assert all("allOf" in item.path for item in surface.not_applied)


def test_the_ledgerscope_spec_renames_the_tenant_header_and_has_no_writes(surface: Any) -> None:
    ledgerscope = surface.ledgerscope_spec
    assert ledgerscope["components"]["parameters"]["requiredHeader"]["name"] == "ledgerscope-tenant-id"
    assert ledgerscope["info"]["title"] == "Ledgerscope API"
    methods = {method for item in ledgerscope["paths"].values() for method in item if method in gen.HTTP_METHODS}
    assert methods == {"get", "delete"}  # the one DELETE is /Connections/{id}, added after the writes went
    assert ledgerscope["paths"]["/Connections"]["get"]["tags"] == ["Identity"]


def test_the_checked_in_table_is_what_the_generator_writes(surface: Any) -> None:
    checked_in = (REPO / "ledgerflow_xero" / "_surface_table.py").read_text(encoding="utf-8")
    assert gen.render_table(surface) == checked_in, "run `python scripts/generate_surface.py`"


def test_write_spec_writes_a_loadable_spec(shared_dir: Path, tmp_path: Path) -> None:
    import yaml

    out = tmp_path / "ledgerscope.yaml"
    assert gen.main(["--specs", str(shared_dir / "specs"), "--output", str(tmp_path / "t.py"),
                     "--write-spec", str(out)]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "/Invoices/{InvoiceID}" in written["paths"] and "/Items" not in written["paths"]
    assert (tmp_path / "t.py").read_text(encoding="utf-8") == (
        REPO / "ledgerflow_xero" / "_surface_table.py").read_text(encoding="utf-8")
