"""The one identity policy (ve_hooks.created_after.identity): its criteria and per-use thresholds."""

from __future__ import annotations

from ve_hooks.created_after import identity
from ve_hooks.repo import Facts

A, B, C = "a" * 40, "b" * 40, "c" * 40


def test_same_key_drops_only_a_numeric_prefix() -> None:
    assert identity.same_key("0007-cli_split", "cli_split")
    assert not identity.same_key("v2-cli_split", "cli_split")
    assert not identity.same_key("cli_split", "cli_splat")


def test_an_external_reference_counts_as_active() -> None:
    facts = Facts("FUTURE", ["x"])
    assert identity.counted_status("external", facts) == Facts("ACTIVE", ["x"])
    assert identity.counted_status("main", facts) is facts


def _rename(score: int) -> list[identity.RawChange]:
    return [("R", "docs/chunks/old/GOAL.md", "docs/chunks/new/GOAL.md", A, B, score)]


def test_history_threshold_is_a_named_parameter() -> None:
    assert identity.trusted_renames(_rename(92), "docs")[0][0] == "R"
    assert identity.trusted_renames(_rename(85), "docs")[0][0] == "D"
    assert identity.trusted_renames(_rename(85), "docs", similar=80)[0][0] == "R"


def test_history_rename_contradicted_by_a_file_left_behind_is_not_trusted() -> None:
    raw = [*_rename(99), ("D", "docs/chunks/old/PLAN.md", None, C, None, 0)]
    assert [c[0] for c in identity.trusted_renames(raw, "docs")] == ["D", "A", "D"]


def test_an_unedited_template_blob_is_ambiguous() -> None:
    raw = [*_rename(100), ("A", None, "docs/chunks/other/GOAL.md", None, B, 0)]
    assert identity.trusted_renames(raw, "docs")[0][0] == "D"
