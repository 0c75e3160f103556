"""README's "What Ledgerflow serves" section is the one the generator prints from the checked-in table."""

from __future__ import annotations

from .conftest import REPO, load_script

gen = load_script("generate_surface")


def test_the_readme_section_matches_the_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = readme.find(gen.README_START), readme.find(gen.README_END)
    assert 0 <= start < end, "README.md lost its generated 'What Ledgerflow serves' block"
    assert readme[start : end + len(gen.README_END)] == gen.readme_section(), (
        "run `python scripts/generate_surface.py --update-readme`")


def test_the_section_counts_what_the_table_holds() -> None:
    section = gen.readme_section()
    assert "Ledgerflow serves 38 read operations" in section
    assert "| `write` | 99 |" in section and "| `sub-resource` | 43 |" in section and "| `resource` | 55 |" in section
    assert section.count("`get_") >= 38 + 2  # every served method, and the two PDF reads


def test_the_migration_check_comes_before_the_one_import_migration() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert 0 < readme.index("## Migration check") < readme.index("## The one-import migration")
