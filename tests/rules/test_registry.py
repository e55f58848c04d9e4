"""The rule declarations: complete, well-formed, their docs committed, and ruff's select/ignore semantics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ve_hooks.diagnostic import Severity, UsageError
from ve_hooks.rules import docs, registry
from ve_hooks.rules.registry import select

RULES = registry.rules()

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules"

# Families are named after what they check and numbered as their codes.
FAMILY_MODULES = {"1": "parse", "2": "schema", "3": "template", "4": "references", "5": "lifecycle",
                  "6": "created_after", "7": "code_references", "8": "project_files"}

EXPECTED_CODES = {
    *(f"VE1{n:02d}" for n in range(1, 13)),
    *(f"VE2{n:02d}" for n in range(1, 8)),
    "VE301", "VE302", "VE303",
    *(f"VE4{n:02d}" for n in range(1, 10)),
    "VE501", "VE502", "VE503",
    *(f"VE6{n:02d}" for n in range(1, 7)),
    *(f"VE7{n:02d}" for n in range(1, 7)),
    *(f"VE8{n:02d}" for n in range(1, 6)),
}


def test_declarations_are_exactly_the_planned_codes() -> None:
    assert set(RULES) == EXPECTED_CODES


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_rule_is_well_formed(code: str) -> None:
    r = RULES[code]
    assert r.code == code
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name
    assert r.module == f"ve_hooks.rules.{FAMILY_MODULES[code[2]]}"
    assert isinstance(r.severity, Severity)
    assert "\n" not in r.summary and not r.summary.endswith(".")
    page = r.page
    for text in (page.what_it_does, page.why_bad, page.example, page.use_instead):
        assert text.strip()
    assert "```" in page.example


def test_names_are_unique() -> None:
    assert len({r.name for r in RULES.values()}) == len(RULES)


def test_warnings_and_fixes_as_designed() -> None:
    warnings = {c for c, r in RULES.items() if r.severity is Severity.WARNING}
    # VE404-VE407 and VE705 are the same kind of bookkeeping gap (a back-link missing); VE503 asks
    # for a status change, which a note would hide; VE409, VE706, VE803 and VE804 are what
    # vibe-engineer 0.10.0 itself reports as warnings.
    assert warnings == {"VE110", "VE205", "VE303", "VE404", "VE405", "VE406", "VE407", "VE409", "VE503",
                        "VE605", "VE606", "VE705", "VE706", "VE803", "VE804"}
    assert {c for c, r in RULES.items() if r.softer} == {"VE701", "VE703"}
    assert sorted(c for c, r in RULES.items() if r.fixable) == ["VE201", "VE203", "VE204", "VE205", "VE401", "VE606"]
    assert RULES["VE606"].fix_command == "ve created-after fill"


def test_get_by_code_or_name() -> None:
    assert registry.get("VE401") is RULES["VE401"]
    assert registry.get("ve401") is RULES["VE401"]
    assert registry.get("missing-reference") is RULES["VE401"]
    assert registry.get("VE999") is None


def test_families_group_in_code_order() -> None:
    fams = registry.families()
    assert list(fams) == [m.replace("_", "-") for m in FAMILY_MODULES.values()]
    assert [r.code for r in fams["created-after"]] == [f"VE60{n}" for n in range(1, 7)]
    assert sum(len(v) for v in fams.values()) == len(RULES)


def test_doc_urls() -> None:
    assert registry.doc_url("VE201") == "docs/rules/VE201.md"
    assert registry.help_uri("VE201") == registry.DOCS_BASE + "VE201.md"
    assert registry.DOCS_BASE.startswith("https://") and registry.DOCS_BASE.endswith("/")


def test_render_markdown_has_the_four_sections_in_order() -> None:
    page = docs.render_markdown(RULES["VE606"])
    assert page.startswith("# VE606 created-after-empty\n")
    heads = [line for line in page.splitlines() if line.startswith("## ")]
    assert heads == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    assert "ve created-after fill" in page


# ----------------------------------------------------------------------------- committed docs


def test_committed_docs_match_the_declarations() -> None:
    expected = docs.expected_docs()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert set(on_disk) == set(expected), "run: python scripts/gen_docs.py"
    for name, content in expected.items():
        assert on_disk[name] == content, f"{name} is stale: python scripts/gen_docs.py"


def test_index_links_every_rule() -> None:
    index = docs.render_index()
    for code in RULES:
        assert f"[{code}]({code}.md)" in index


def test_gen_docs_writes_and_checks(tmp_path: Path) -> None:
    """scripts/gen_docs.py (the generator, outside the runtime package) writes the pages and the
    editor schemas into a root, removes a stale rule page, and --check names a hand edit."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    stale = tmp_path / "docs" / "rules" / "VE999.md"
    stale.write_text("stale")
    assert gen.main(["--check", "--root", str(tmp_path)]) == 1
    changed = gen.write(tmp_path)
    assert stale in changed and not stale.exists()
    assert (tmp_path / "docs" / "rules" / "VE201.md").is_file() and (tmp_path / "schemas" / "editors").is_dir()
    assert gen.write(tmp_path) == []
    assert gen.main(["--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "docs" / "rules" / "VE201.md").write_text("edited by hand\n")
    assert gen.main(["--check", "--root", str(tmp_path)]) == 1


# ----------------------------------------------------------------------------- select / ignore


@pytest.mark.parametrize(
    ("sel", "ign", "on", "off"),
    [
        (None, None, ["VE101", "VE606", "VE704"], []),
        (["VE2"], None, ["VE201", "VE207"], ["VE101", "VE401"]),
        (["VE"], ["VE2"], ["VE101"], ["VE201", "VE205"]),
        (["VE201"], ["VE2"], ["VE201"], ["VE202", "VE101"]),  # more specific select wins
        (None, ["VE2"], ["VE101"], ["VE201"]),
        (["VE2"], ["VE205"], ["VE201"], ["VE205"]),  # more specific ignore wins
        (["VE4"], ["VE4"], [], ["VE401"]),  # equal specificity: ignore wins
        (["ALL"], ["VE60"], ["VE701"], ["VE601", "VE606"]),
        (["ve2,VE4"], None, ["VE201", "VE401"], ["VE301"]),  # comma lists, case-insensitive
        ("VE1", "VE110", ["VE101"], ["VE110", "VE201"]),  # a bare string is one selector
    ],
)
def test_select_ignore_semantics(sel: list[str] | None, ign: list[str] | None, on: list[str],
                                 off: list[str]) -> None:
    enabled = select(sel, ign)
    assert [c for c in on if not enabled(c)] == []
    assert [c for c in off if enabled(c)] == []


def test_empty_select_means_all() -> None:
    assert select([], [])("VE301")


@pytest.mark.parametrize(
    ("selector", "suggestion"),
    [("VE9", None), ("VE2O1", "VE201"), ("missing-reference", "VE401"), ("E501", None), ("VE2010", "VE201")],
)
def test_unknown_selector_is_a_usage_error(selector: str, suggestion: str | None) -> None:
    with pytest.raises(UsageError) as exc:
        select([selector])
    assert repr(selector) in str(exc.value)
    if suggestion:
        assert f"did you mean {suggestion}" in str(exc.value)
    with pytest.raises(UsageError):
        select(None, [selector])
