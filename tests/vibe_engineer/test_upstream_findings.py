"""The parser and matcher of tests/support/upstream_findings.py on output shaped as vibe-engineer
0.10.0 prints it (copied by hand from its `ve validate`, `ve chunk validate` and `ve workspace
validate --format json`), so the differential suite's verdicts rest on a tested reading."""

from __future__ import annotations

import json

from support.upstream_findings import (
    Finding,
    classify_message,
    match,
    parse_messages,
    parse_validate,
    parse_workspace_json,
)

VALIDATE_OUTPUT = """\
Error: [chunk→file] docs/chunks/first_feature/GOAL.md -> src/gone.py
       code_paths entry 'src/gone.py' does not exist — if the file was moved or renamed, update this reference
Error: [code→chunk] scripts/x.py:12 -> docs/chunks/no_chunk
       Code backreference to non-existent chunk 'no_chunk' at line 12
Warning: [chunk↔narrative] docs/chunks/first_feature/GOAL.md -> docs/narratives/my_story/OVERVIEW.md
       Chunk references narrative 'my_story' but narrative's proposed_chunks does not list this chunk
1 symbol anchor(s) not checked: ve validate verifies declared file paths only.

Validation failed: 2 error(s) found
"""


def test_ve_validate_lines_become_path_severity_class() -> None:
    found = parse_validate(VALIDATE_OUTPUT)
    assert [(f.path, f.severity, f.cls, f.target) for f in found] == [
        ("docs/chunks/first_feature/GOAL.md", "error", "chunk→file", "src/gone.py"),
        ("scripts/x.py", "error", "code→chunk", "docs/chunks/no_chunk"),  # the line number is dropped
        ("docs/chunks/first_feature/GOAL.md", "warning", "chunk↔narrative", "docs/narratives/my_story/OVERVIEW.md"),
    ]
    assert found[1].message.startswith("Code backreference to non-existent chunk")


def test_chunk_validate_messages_are_classed_by_their_words() -> None:
    stderr = ("Error: Symbol not found: nope in src/app.py (ref: src/app.py#nope)\n"
              "Error: Status is 'FUTURE', which does not hold completable intent — must be IMPLEMENTING\n"
              "Skipped cross-project reference: acme/x::a.py#f (no task context)\n")
    found = parse_messages(stderr, "docs/chunks/c/GOAL.md")
    assert [(f.severity, f.cls) for f in found] == [
        ("error", "code-reference-symbol-missing"), ("error", "chunk-status-not-completable"),
        ("warning", "code-reference-unchecked")]
    assert classify_message("Subsystem 'no_sys' does not exist in docs/subsystems/") == "chunk→subsystem"
    assert classify_message("something new") == "unclassified"


def test_workspace_defects_are_errors_of_their_fix_class() -> None:
    report = {"ok": False, "defects": [{"fix_class": "missing-target", "path": "src/x.py", "line": 1,
                                        "reference": "lib::docs/chunks/nope", "message": "tree 'lib' has no chunk"}]}
    assert parse_workspace_json(json.dumps(report)) == [
        Finding("src/x.py", "error", "workspace:missing-target", "lib::docs/chunks/nope", "tree 'lib' has no chunk")]


def test_a_match_needs_an_answering_rule_the_file_the_target_and_the_severity() -> None:
    theirs = Finding("docs/chunks/a/GOAL.md", "error", "chunk→file", "src/gone.py")
    same = Finding("docs/chunks/a/GOAL.md", "error", "VE701", message="code_paths entry: src/gone.py is missing")
    assert match(theirs, [same]) == "matched"
    assert match(theirs, [Finding(same.path, "warning", "VE701", message=same.message)]) == "lower"
    assert match(theirs, [Finding(same.path, "error", "VE703", message=same.message)]) == "missed"  # other rule
    assert match(theirs, [Finding(same.path, "error", "VE701", message="src/other.py")]) == "missed"  # other target
    assert match(theirs, [Finding("docs/chunks/b/GOAL.md", "error", "VE701", message=same.message)]) == "missed"


def test_a_back_link_matches_on_either_end() -> None:
    theirs = Finding("docs/chunks/a/GOAL.md", "warning", "chunk↔narrative", "docs/narratives/n/OVERVIEW.md")
    on_chunk = Finding("docs/chunks/a/GOAL.md", "warning", "VE404", message="narrative 'n' does not list it")
    on_narrative = Finding("docs/narratives/n/OVERVIEW.md", "error", "VE404", message="")
    assert match(theirs, [on_chunk]) == "matched"
    assert match(theirs, [on_narrative]) == "matched"
    assert match(theirs, [Finding("docs/chunks/a/GOAL.md", "warning", "VE404", message="narrative 'm'")]) == "missed"


def test_a_qualified_target_is_the_artifact_it_names() -> None:
    theirs = Finding("docs/chunks/x/external.yaml", "warning", "external→never-resolved", "acme/arch::docs/chunks/x")
    ours = Finding("docs/chunks/x/external.yaml", "warning", "VE409", message="pointer to 'acme/arch' never resolved")
    assert match(theirs, [ours]) == "matched"


def test_a_path_and_symbol_target_is_named_by_its_file_or_its_symbol() -> None:
    """`src/gone.py#x`: a missing file is reported by its path, a missing symbol by its name;
    a finding naming neither is about something else."""
    goal = "packages/lib/docs/chunks/lib_chunk/GOAL.md"
    theirs = Finding(goal, "error", "workspace:unresolvable-frontmatter", "src/gone.py#x")
    missing_file = Finding(goal, "error", "VE701", message="code reference: packages/lib/src/gone.py is not in the snapshot")
    missing_symbol = Finding(goal, "error", "VE703", message="src/gone.py defines no symbol 'x'")
    other = Finding(goal, "error", "VE701", message="code reference: src/other.py is not in the snapshot")
    assert match(theirs, [missing_file], {"VE701"}) == "matched"
    assert match(theirs, [missing_symbol], {"VE703"}) == "matched"
    assert match(theirs, [other], {"VE701"}) == "missed"
    qualified = Finding(goal, "error", "workspace:unresolvable-frontmatter", "root::src/root.py#nope")
    assert match(qualified, [Finding(goal, "error", "VE703", message="src/root.py defines no symbol 'nope'")],
                 {"VE703"}) == "matched"
