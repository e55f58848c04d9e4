"""Schema validation: every VE2xx code failing and passing, positions, generation detection."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import schema
from ve_hooks.documents.frontmatter import Doc, parse, parse_yaml_file
from ve_hooks.rules import schema as schema_rules

PATHS = {
    "chunk": "docs/chunks/demo_chunk/GOAL.md",
    "narrative": "docs/narratives/demo_narrative/OVERVIEW.md",
    "investigation": "docs/investigations/demo_investigation/OVERVIEW.md",
    "subsystem": "docs/subsystems/demo_subsystem/OVERVIEW.md",
    "external": "docs/chunks/demo_external/external.yaml",
    "friction": "docs/trunk/FRICTION.md",
}


def run(tmp_path: Path, kind: str, frontmatter: str, body: str = "# Body\n",
        rel: str | None = None) -> list[Diagnostic]:
    """Write a real artifact file, parse it back and check it."""
    rel = rel or PATHS[kind]
    f = tmp_path / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    fm = textwrap.dedent(frontmatter).lstrip("\n")
    f.write_text(fm if kind == "external" else f"---\n{fm}---\n{body}", encoding="utf-8")
    raw = f.read_bytes()
    doc = parse_yaml_file(raw) if kind == "external" else parse(raw)
    assert isinstance(doc, Doc), doc
    return schema_rules.check_document(kind, doc, rel)


def rules(diags: list[Diagnostic]) -> list[str]:
    return [d.rule for d in diags]


V3_CHUNK = """
status: ACTIVE
ticket: null
parent_chunk: null
code_paths:
  - src/orch/agent.py
code_references:
  - ref: src/orch/agent.py#AskOperator
    implements: "Tool the agent calls to ask the operator"
  - ref: src/orch/agent.py#AskOperator::invoke
    implements: "Records the question as NEEDS_ATTENTION"
narrative: null
investigation: orchestrator_questions
subsystems:
  - subsystem_id: orchestrator
    relationship: implements
friction_entries:
  - entry_id: F009
    scope: partial
bug_type: null
depends_on: []
created_after: ["coderef_format_prompting"]
"""


# -- generation detection ---------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    ({"status": "IMPLEMENTING", "ticket": None, "code_paths": [], "code_references": []}, "v1"),
    ({"status": "ACTIVE", "code_references": [{"file": "a.py", "ranges": []}]}, "v1"),
    ({"status": "IMPLEMENTING", "narrative": None}, "v2"),
    ({"status": "FUTURE"}, "v2"),
    ({"status": "ACTIVE", "code_references": [{"ref": "a.py#X", "implements": "x"}]}, "v2"),
    ({"status": "ACTIVE", "narrative": "n", "created_after": []}, "v3"),
    ({"status": "ACTIVE", "investigation": None}, "v3"),
    ({"status": "ACTIVE", "subsystems": []}, "v3"),
    ({"status": "ACTIVE", "friction_entries": []}, "v3"),
    ({"status": "ACTIVE", "bug_type": None}, "v3"),
    ({"status": "ACTIVE", "depends_on": None}, "v3"),
    ({"status": "ACTIVE", "proposed_chunks": []}, "v3"),
    ({"status": "ACTIVE", "dependents": []}, "v3"),
    ({"status": "COMPOSITE"}, "v3"),
    ({}, "v1"),
])
def test_generation_of(data: dict, expected: str) -> None:
    assert schema.generation_of(data) == expected


# -- passing documents shaped like the real corpus ------------------------------------------

def test_v3_chunk_clean(tmp_path: Path) -> None:
    assert run(tmp_path, "chunk", V3_CHUNK) == []


def test_v3_chunk_newest_fields_clean(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", """
        status: COMPOSITE
        ticket: "1234"
        parent_chunk: 006-segment-compaction
        code_paths: []
        code_references:
          - ref: acme/project::src/foo.py#Bar::baz
            implements: Cross-project reference
          - ref: docs/trunk/SPEC.md
            implements: Whole file
          - ref: commands/orchestrator-investigate.md#Scenario F
            implements: Markdown section
        narrative: intent_ownership
        investigation: null
        subsystems: []
        friction_entries: [{entry_id: F015}]
        bug_type: semantic
        depends_on: null
        created_after: []
        proposed_chunks:
          - prompt: Follow-up work
            chunk_directory: null
            depends_on: []
        dependents:
          - artifact_type: chunk
            artifact_id: xr_ve_worktrees_flag
            repo: cloudcapitalco/architecture
            track: main
            pinned: 4e383bc3f3d8c0fa1dc7cc0d2622ed295a0d7ae1
        superseded_by: null
        superseded_reason: "Narrative backreferences were removed"
    """)
    assert diags == []


def test_v2_chunk_clean(tmp_path: Path) -> None:
    assert run(tmp_path, "chunk", """
        status: FUTURE
        ticket: VE-12
        parent_chunk: null
        code_paths: [src/a.py]
        code_references: []
        narrative: my_narrative
    """) == []


def test_v1_chunk_clean(tmp_path: Path) -> None:
    assert run(tmp_path, "chunk", """
        status: SUPERSEDED
        ticket: VE-1
        parent_chunk: null
        code_paths: ["src/segment/writer.rs"]
        code_references:
          - file: src/segment/writer.rs
            ranges:
              - lines: 45-120
                implements: "SegmentWriter struct and core write loop"
              - lines: 7
                implements: "the import"
    """) == []


@pytest.mark.parametrize("kind, frontmatter", [
    ("narrative", """
        status: COMPLETED
        advances_trunk_goal: "Required Properties: documents stay healthy over time."
        proposed_chunks:
          - prompt: "Update orchestrator injection logic"
            chunk_directory: explicit_deps_null_inject
            depends_on: []
          - prompt: "Document null vs empty"
            chunk_directory: null
            depends_on: [0]
          - prompt: "Legacy entry without depends_on"
            chunk_directory: explicit_deps_goal_docs
        created_after: ["explicit_chunk_deps"]
    """),
    ("investigation", """
        status: SOLVED
        trigger: "Agents misread success summaries as questions"
        proposed_chunks:
          - prompt: "Add an AskOperator tool"
            chunk_directory: orch_ask_operator
            depends_on: [1]
          - prompt: "Drop the text heuristics"
            chunk_directory: null
        created_after: ["alphabetical_chunk_grouping"]
    """),
    ("subsystem", """
        status: DOCUMENTED
        chunks:
          - chunk_id: template_unified_module
            relationship: implements
          - chunk_id: jinja_backrefs
            relationship: uses
        code_references:
          - ref: src/template_system.py#render_template
            implements: Renders a template with the shared environment
            compliance: COMPLIANT
          - ref: src/chunks.py#suggest_prefix
            implements: TF-IDF prefix suggestion
            compliance: PARTIAL
            deviation_reason: Does not dereference external artifacts
        proposed_chunks: []
        created_after: []
    """),
    ("external", """
        artifact_id: demo_external
        artifact_type: chunk
        created_after:
        - ordering_audit_seqnums
        pinned: 4e383bc3f3d8c0fa1dc7cc0d2622ed295a0d7ae1
        repo: cloudcapitalco/architecture
        track: main
    """),
    ("external", """
        artifact_id: demo_external
        artifact_type: investigation
        tree: platform
        why: Uses its retry policy
    """),
    ("friction", """
        themes:
        - id: orchestrator
          name: Orchestrator
        - id: context-resolution
          name: Context Resolution
        proposed_chunks:
        - prompt: Extend task-context awareness to overlap, validate, and activate commands
          chunk_directory: taskdir_context_cmds
          addresses:
          - F002
        external_friction_sources:
        - repo: acme/ext
          track: main
          pinned: 4e383bc3f3d8c0fa1dc7cc0d2622ed295a0d7ae1
          entry_ids: [F001]
    """),
])
def test_corpus_shaped_documents_clean(tmp_path: Path, kind: str, frontmatter: str) -> None:
    assert run(tmp_path, kind, frontmatter) == []


# -- VE201 ------------------------------------------------------------------------------------

def test_ve201_invalid_status_with_did_you_mean(tmp_path: Path) -> None:
    [d] = run(tmp_path, "chunk", V3_CHUNK.replace("status: ACTIVE", "status: ACTVE"))
    assert d.rule == "VE201" and d.severity is Severity.ERROR
    assert (d.line, d.column) == (2, 1)
    assert d.message == ("invalid status 'ACTVE' for a v3 chunk; expected one of FUTURE, "
                         "IMPLEMENTING, ACTIVE, COMPOSITE, SUPERSEDED, HISTORICAL")
    assert d.hint == "did you mean 'ACTIVE'?"
    assert d.generation == "v3"
    assert d.path == PATHS["chunk"]


def test_ve201_lower_case_and_other_kinds(tmp_path: Path) -> None:
    [d] = run(tmp_path, "chunk", "status: active\nticket: null\n")
    assert (d.rule, d.hint, d.generation) == ("VE201", "did you mean 'ACTIVE'?", "v1")
    assert "for a v1 chunk; expected one of IMPLEMENTING, ACTIVE, SUPERSEDED, HISTORICAL" in d.message
    [d] = run(tmp_path, "narrative", "status: DONE\n")
    assert d.rule == "VE201" and "for a narrative; expected one of DRAFTING, ACTIVE, COMPLETED" in d.message
    assert d.generation is None
    [d] = run(tmp_path, "subsystem", "status: 7\n")
    assert d.rule == "VE201" and "invalid status 7" in d.message  # one finding, not type + enum


def test_ve201_quotes_are_sanitised(tmp_path: Path) -> None:
    [d] = run(tmp_path, "investigation", 'status: "\\e[31mRED"\n')
    assert d.rule == "VE201"
    assert "\x1b" not in d.message


# -- VE202 ------------------------------------------------------------------------------------

def test_ve202_missing_top_level_points_at_opening_fence(tmp_path: Path) -> None:
    diags = run(tmp_path, "narrative", "advances_trunk_goal: x\nproposed_chunks: []\n")
    [d] = diags
    assert (d.rule, d.line, d.column) == ("VE202", 1, 1)
    assert d.message == "missing required field 'status' in a narrative"


def test_ve202_nested_points_at_the_item(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", V3_CHUNK.replace("    relationship: implements\n", ""))
    [d] = diags
    assert d.rule == "VE202"
    assert d.message == "missing required field 'relationship' in subsystems[0]"
    assert (d.line, d.column) == (15, 5)  # the `- subsystem_id:` item


def test_ve202_and_ve205_for_misspelt_key(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", V3_CHUNK.replace("status: ACTIVE", "staus: ACTIVE"))
    by_rule = {d.rule: d for d in diags}
    assert sorted(by_rule) == ["VE202", "VE205"]
    assert by_rule["VE202"].hint == "'staus' looks like a misspelling of 'status'"
    assert (by_rule["VE202"].line, by_rule["VE202"].column) == (1, 1)
    w = by_rule["VE205"]
    assert w.severity is Severity.WARNING
    assert (w.line, w.column) == (2, 1)
    assert w.hint == "did you mean 'status'?"
    assert w.message == "unknown field 'staus' in a v3 chunk"


# -- VE203 ------------------------------------------------------------------------------------

def test_ve203_wrong_types(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", """
        status: ACTIVE
        ticket: 1234
        code_paths: src/foo.py
        created_after: auth_refactor
    """)
    assert rules(diags) == ["VE203", "VE203", "VE203"]
    ticket, paths, after = diags
    assert (ticket.line, ticket.message) == (3, "ticket must be a string or null, got an integer (1234)")
    assert ticket.hint == 'quote the value: `"1234"`'
    assert (paths.line, paths.message) == (4, "code_paths must be a list, got a string ('src/foo.py')")
    assert after.line == 5 and "created_after must be a list" in after.message


# -- VE204 ------------------------------------------------------------------------------------

def test_ve204_enums_and_patterns(tmp_path: Path) -> None:
    text = (V3_CHUNK.replace("relationship: implements", "relationship: implement")
            .replace("scope: partial", "scope: some")
            .replace("entry_id: F009", "entry_id: F-9")
            .replace("bug_type: null", "bug_type: sematic")
            .replace('created_after: ["coderef_format_prompting"]', 'created_after: ["docs/chunks/x"]'))
    diags = run(tmp_path, "chunk", text)
    assert set(rules(diags)) == {"VE204"}
    msgs = {d.message: d for d in diags}
    rel = msgs["invalid relationship 'implement' in subsystems[0]; expected one of implements, uses"]
    assert rel.hint == "did you mean 'implements'?" and rel.line == 16
    assert "invalid scope 'some' in friction_entries[0]; expected one of full, partial" in msgs
    entry = msgs["invalid entry_id 'F-9' in friction_entries[0]"]
    assert "F followed by digits" in entry.hint and entry.line == 18
    bug = msgs["invalid bug_type 'sematic' in a v3 chunk; expected one of semantic, implementation, null"]
    assert bug.hint == "did you mean 'semantic'?"
    assert "invalid created_after[0] 'docs/chunks/x' in a v3 chunk" in msgs


def test_ve204_symbolic_ref_position(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", """
        status: ACTIVE
        narrative: null
        code_references:
          - ref: src/a.py#A
            implements: first
          - ref: src/a.py#B
            implements: second
          - ref: "src/a.py#B#C"
            implements: third
    """)
    [d] = diags
    assert (d.rule, d.line, d.column) == ("VE204", 9, 5)  # the `ref:` key of code_references[2]
    assert d.message == "invalid ref 'src/a.py#B#C' in code_references[2]"


def test_ve204_empty_and_negative(tmp_path: Path) -> None:
    diags = run(tmp_path, "narrative", """
        status: DRAFTING
        proposed_chunks:
          - prompt: ""
            depends_on: [-1]
    """)
    assert rules(diags) == ["VE204", "VE204"]
    assert diags[0].message == "proposed_chunks[0].prompt is empty"
    assert diags[1].message == "proposed_chunks[0].depends_on[0] is -1; it must be at least 0"


# -- VE205 ------------------------------------------------------------------------------------

def test_ve205_nested_unknown_field(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", V3_CHUNK.replace(
        '    implements: "Tool the agent calls to ask the operator"\n',
        '    implements: "Tool the agent calls to ask the operator"\n    verified: "2026-03-31"\n'))
    [d] = diags
    assert (d.rule, d.severity, d.line, d.column) == ("VE205", Severity.WARNING, 10, 5)
    assert d.message == "unknown field 'verified' in code_references[0]"
    assert d.to_json()["rule"] == "VE205"


def test_ve205_no_suggestion_for_unrelated_key(tmp_path: Path) -> None:
    [d] = run(tmp_path, "investigation", "status: ONGOING\ncreated_at: '2026-01-22'\n")
    assert d.rule == "VE205" and "did you mean" not in d.hint


# -- VE206 ------------------------------------------------------------------------------------

def test_ve206_line_ranges_in_v3_chunk(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", V3_CHUNK.replace(
        "code_references:\n", "code_references:\n  - file: src/a.py\n    ranges: [{lines: 1-2, implements: x}]\n"))
    [d] = diags
    assert (d.rule, d.line, d.column) == ("VE206", 8, 5)
    assert d.message == ("code_references[0] uses the v1 line-range form (file/ranges) in a v3 chunk; "
                         "code_references mixes line-range and symbolic forms")


def test_ve206_not_a_mapping(tmp_path: Path) -> None:
    [d] = run(tmp_path, "chunk", "status: ACTIVE\nnarrative: null\ncode_references:\n  - src/a.py#A\n")
    assert (d.rule, d.line, d.column) == ("VE206", 5, 5)
    assert d.message == "code_references[0] is a string ('src/a.py#A'), not a code reference mapping"


def test_ve206_symbolic_in_subsystem_ok_range_flagged(tmp_path: Path) -> None:
    [d] = run(tmp_path, "subsystem", """
        status: STABLE
        code_references:
          - file: src/a.py
            ranges: []
    """)
    assert d.rule == "VE206" and d.generation is None


# -- VE207 ------------------------------------------------------------------------------------

def test_ve207_external_reference(tmp_path: Path) -> None:
    diags = run(tmp_path, "external", """
        artifact_id: xr_ve_worktrees
        artifact_type: Chunk
        pinned: 4e383bc
    """)
    assert set(rules(diags)) == {"VE207"}
    msgs = [d.message for d in diags]
    assert "an external reference needs `repo` (org/repo) or `tree` (workspace member)" in msgs
    assert any(m.startswith("invalid artifact_type 'Chunk'") for m in msgs)
    assert "invalid pinned '4e383bc' in an external reference" in msgs
    assert "artifact_id 'xr_ve_worktrees' differs from its directory 'demo_external'" in msgs
    typ = next(d for d in diags if "artifact_type" in d.message)
    assert typ.hint == "did you mean 'chunk'?" and typ.line == 2


def test_ve207_tree_with_track_and_missing_id(tmp_path: Path) -> None:
    diags = run(tmp_path, "external", "artifact_type: chunk\ntree: platform\ntrack: main\n")
    assert rules(diags) == ["VE207", "VE207"]
    assert any("missing required field 'artifact_id'" in d.message for d in diags)
    assert any("drop `repo`, `track` and `pinned`" in d.message for d in diags)


def test_ve207_dependents_in_chunk(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", V3_CHUNK + "dependents:\n  - artifact_type: chunk\n    artifact_id: x\n"
                "    repo: https://github.com/acme/x\n")
    assert rules(diags) == ["VE207"]
    assert diags[0].message.startswith("invalid repo 'https://github.com/acme/x' in dependents[0]")


# -- reporting --------------------------------------------------------------------------------

def test_all_errors_reported_sorted(tmp_path: Path) -> None:
    diags = run(tmp_path, "chunk", """
        status: WIP
        ticket: [1]
        subsystems:
          - subsystem_id: a
            relationship: owns
          - {}
    """)
    assert rules(diags) == ["VE201", "VE203", "VE204", "VE202", "VE202"]
    assert [d.line for d in diags] == sorted(d.line for d in diags)


def test_one_compiled_validator_per_schema() -> None:
    assert schema.validator("chunk-goal.v3.json") is schema.validator("chunk-goal.v3.json")
    assert schema.load_schema("narrative.json") is schema.load_schema("narrative.json")


def test_jsonschema_not_imported_at_module_import() -> None:
    code = ("import sys, ve_hooks.documents.schema, ve_hooks.rules.template, ve_hooks.commands.schema; "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_schema_for_covers_every_kind() -> None:
    for kind in schema.KINDS:
        assert schema.schema_file(kind).is_file()
    for gen in schema.GENERATIONS:
        assert schema.schema_file("chunk", gen).name == f"chunk-goal.{gen}.json"
    with pytest.raises(ValueError):
        schema.schema_file("plan")
    with pytest.raises(ValueError):
        schema.schema_file("narrative", "v2")
    with pytest.raises(ValueError):
        schema_rules.check_document("plan", Doc({}, {}, 1, 2, ""), "x")


# -- robustness -------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(
    ["ACTIVE", "FUTURE", "x", "", "F1", "src/a.py#A", "implements", "a/b", "\x1b[2J"])
_keys = st.sampled_from(["status", "staus", "code_references", "ref", "file", "ranges", "lines",
                         "subsystems", "relationship", "depends_on", "prompt", "artifact_id", "repo",
                         "tree", "dependents", "narrative", "implements", "x"])
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(_keys, inner, max_size=4), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(_keys, _values, max_size=6), kind=st.sampled_from(schema.KINDS))
def test_check_never_raises_and_positions_are_sane(data: dict, kind: str) -> None:
    doc = Doc(data, {}, 1, 3, "")
    for d in schema_rules.check_document(kind, doc, PATHS[kind]):
        assert d.rule in {"VE201", "VE202", "VE203", "VE204", "VE205", "VE206", "VE207"}
        assert (d.line, d.column) == (1, 1)  # no recorded positions: the opening fence
        assert "\x1b" not in d.message + d.hint


# -- the fast validity check must agree with the full validator -------------------------------

@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["status", "ticket", "parent_chunk", "code_paths", "code_references", "narrative",
                     "investigation", "subsystems", "friction_entries", "bug_type", "created_after",
                     "depends_on", "unknown"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12)
                 | st.sampled_from(["ACTIVE", "FUTURE", "F001", "implements", "full", "a.py#X", "45-120"]),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                     st.sampled_from(["ref", "implements", "file", "ranges", "lines", "subsystem_id",
                                      "relationship", "entry_id", "scope"]), inner, max_size=3),
                 max_leaves=8),
    max_size=8))
def test_fast_and_full_validators_agree(data: dict) -> None:
    import jsonschema

    schema_mod = schema
    for name in ("chunk-goal.v1.json", "chunk-goal.v2.json", "chunk-goal.v3.json", "narrative.json",
                 "subsystem.json", "investigation.json"):
        fast = schema_mod.fast_validator(name)
        assert fast is not None
        full = jsonschema.Draft202012Validator(schema_mod.load_schema(name))
        assert schema_rules._is_valid(fast, data) == full.is_valid(data), (name, data)
