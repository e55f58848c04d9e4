"""Differential suite: ve-validate against the real vibe-engineer 0.10.0, case by case.

Repositories are built by 0.10.0's own commands (conftest.py), then one fault is injected and
0.10.0's validator runs (``ve validate``, ``ve chunk validate``, ``ve subsystem validate``, ``ve
workspace validate``). Both directions are asserted:

- what 0.10.0 accepts (``cls=None`` rows) has no ve-validate error and no schema (VE2xx) finding;
- every finding 0.10.0 reports, ve-validate reports on the same or a related path at the same or a
  higher severity, with one of the row's rule codes (tests/support/upstream_findings.py).

The cases are the table ``CASES``: a new upstream check is one row. A row that disagrees on today's
ve-hooks is listed in ``KNOWN_GAPS`` with the reason and runs as ``xfail(strict=True)``, so it turns
red the day it is fixed and the entry must go. ``test_every_integrity_check_has_a_row`` reads the
installed release's integrity.py and fails on a check function or finding class with no row.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.cli import invoke
from support.upstream_findings import (
    CLASS_RULES,
    Finding,
    match,
    parse_messages,
    parse_validate,
    parse_ve_validate_json,
    parse_workspace_json,
)
from support.ve_builds import Upstream, copy_base, set_field

from ve_hooks.cli import validate_main

pytestmark = pytest.mark.slow

Fault = Callable[[Path, Upstream], None]

CHUNK1 = "docs/chunks/first_feature/GOAL.md"  # ACTIVE, landed by `ve chunk complete`
CHUNK2 = "docs/chunks/second_feature/GOAL.md"  # IMPLEMENTING
NARRATIVE = "docs/narratives/my_story/OVERVIEW.md"
INVESTIGATION = "docs/investigations/my_probe/OVERVIEW.md"
SUBSYSTEM = "docs/subsystems/core_engine/OVERVIEW.md"
FRICTION = "docs/trunk/FRICTION.md"
LIB_CHUNK = "packages/lib/docs/chunks/lib_chunk/GOAL.md"  # IMPLEMENTING, in the member tree


@dataclass(frozen=True)
class Case:
    """One row: a base shape, a fault, the upstream command, what it must report, what answers it.

    ``cls=None``: 0.10.0 accepts the result; ve-validate must report no error and no VE2xx finding.
    ``not_covered``: the upstream check is a gate on a command, not a property of the repository;
    only the upstream side is asserted and the reason is the coverage table's (docs/vibe-engineer.md).
    """

    id: str
    shape: str  # project | workspace | task (conftest.BUILDERS)
    fault: Fault | None
    command: tuple[str, ...]
    cls: str | None  # upstream finding class expected (integrity.py link type, message or fix class)
    severity: str = "error"
    rules: frozenset[str] = frozenset()  # ve-hooks codes that answer it (default CLASS_RULES[cls])
    check: str = ""  # the upstream function that runs the check
    cwd: str = "."  # where the upstream command runs, inside the shape
    not_covered: str = ""
    also: tuple[str, ...] = field(default=())  # further upstream commands run before the fault


# --- faults: the edits an agent or a person could make ------------------------------------------


def field_(path: str, name: str, value: str) -> Fault:
    return lambda root, up: set_field(root / path, name, value)


def add_field(path: str, name: str, value: str) -> Fault:
    """Add a top-level frontmatter field just before the closing fence."""
    def apply(root: Path, up: Upstream) -> None:
        p = root / path
        text = p.read_text()
        end = text.index("\n---\n", 4)
        p.write_text(text[:end] + f"\n{name}:{value if value.startswith(chr(10)) else ' ' + value}" + text[end:])
    return apply


def write(path: str, text: str) -> Fault:
    def apply(root: Path, up: Upstream) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return apply


def both(*faults: Fault) -> Fault:
    def apply(root: Path, up: Upstream) -> None:
        for f in faults:
            f(root, up)
    return apply


def drop_line(path: str, prefix: str) -> Fault:
    def apply(root: Path, up: Upstream) -> None:
        p = root / path
        p.write_text("".join(line for line in p.read_text().splitlines(True) if not line.startswith(prefix)))
    return apply


def restamp_skills(version: str) -> Fault:
    def apply(root: Path, up: Upstream) -> None:
        p = root / ".agents/skills/.ve-local-skills.json"
        data = json.loads(p.read_text())
        data["ve_version"] = version
        p.write_text(json.dumps(data, indent=2) + "\n")
    return apply


REFS1 = "\n- ref: src/app.py#run\n  implements: the feature"
SUB = "\n- subsystem_id: {}\n  relationship: {}"
PROPOSE = "\n- prompt: do the thing\n  chunk_directory: {}"
ALLOW = "validation:\n  ignore_backreferences:\n  - path: {}\n    reason: a fixture that quotes backreferences\n"
VALIDATE = ("validate",)
WS_VALIDATE = ("workspace", "validate", "--format", "json")

I = "integrity.IntegrityValidator."  # noqa: E741 - short prefix of the table's check names
CASES: list[Case] = [
    # --- what 0.10.0 writes and accepts -------------------------------------------------------
    Case("accept-project", "project", None, VALIDATE, None),
    Case("accept-skills-reified", "project", None, VALIDATE, None, also=("skills reify",)),
    Case("accept-allowlisted-backreference", "project",
         both(write("scripts/quote.py", "# Chunk: docs/chunks/no_such_chunk - quoted in a fixture\n"),
              write(".ve-config.yaml", ALLOW.format("scripts/quote.py"))), VALIDATE, None),
    Case("accept-repo-qualified-code-reference", "project",
         field_(CHUNK1, "code_references", REFS1 + "\n- ref: acme/other::src/a.py#f\n  implements: a peer"),
         VALIDATE, None),
    Case("accept-workspace", "workspace", None, WS_VALIDATE, None),
    Case("accept-workspace-member-validate", "workspace", None, VALIDATE, None, cwd="packages/lib"),
    Case("accept-member-qualified-code-reference", "workspace",
         both(write("src/root.py", "def shared():\n    return 3\n"),
              field_(LIB_CHUNK, "status", "ACTIVE"),
              field_(LIB_CHUNK, "code_references", "\n- ref: root::src/root.py#shared\n  implements: uses it")),
         WS_VALIDATE, None),
    Case("accept-task-resolved", "task", None, VALIDATE, None, cwd="proj"),

    # --- ve validate: integrity.py, one fault per check -------------------------------------------
    Case("chunk-frontmatter-unparseable", "project", field_(CHUNK2, "status", "[IMPLEMENTING"), VALIDATE,
         "chunk→frontmatter", check=I + "_validate_chunk_outbound"),
    Case("chunk-frontmatter-invalid", "project", field_(CHUNK2, "status", "DONE"), VALIDATE,
         "chunk→frontmatter", check=I + "_validate_chunk_outbound"),
    Case("chunk-narrative-missing", "project", field_(CHUNK2, "narrative", "no_story"), VALIDATE,
         "chunk→narrative", check=I + "_validate_chunk_outbound"),
    Case("chunk-narrative-backlink", "project", field_(CHUNK2, "narrative", "my_story"), VALIDATE,
         "chunk↔narrative", "warning", check=I + "_validate_chunk_outbound"),
    Case("chunk-investigation-missing", "project", field_(CHUNK2, "investigation", "no_probe"), VALIDATE,
         "chunk→investigation", check=I + "_validate_chunk_outbound"),
    Case("chunk-investigation-backlink", "project", field_(CHUNK2, "investigation", "my_probe"), VALIDATE,
         "chunk↔investigation", "warning", check=I + "_validate_chunk_outbound"),
    Case("chunk-subsystem-missing", "project", field_(CHUNK2, "subsystems", SUB.format("no_sys", "implements")),
         VALIDATE, "chunk→subsystem", check=I + "_validate_chunk_outbound"),
    Case("chunk-subsystem-backlink-active", "project",
         field_(CHUNK1, "subsystems", SUB.format("core_engine", "implements")), VALIDATE,
         "chunk↔subsystem", "warning", check=I + "_validate_chunk_outbound"),
    Case("chunk-subsystem-backlink-uses", "project",
         field_(CHUNK1, "subsystems", SUB.format("core_engine", "uses")), VALIDATE,
         "chunk↔subsystem", "warning", check=I + "_validate_chunk_outbound"),
    Case("chunk-subsystem-backlink-implementing", "project",
         field_(CHUNK2, "subsystems", SUB.format("core_engine", "implements")), VALIDATE,
         "chunk↔subsystem", "warning", check=I + "_validate_chunk_outbound"),
    Case("chunk-friction-entry-missing", "project",
         field_(CHUNK2, "friction_entries", "\n- entry_id: F999\n  scope: full"), VALIDATE,
         "chunk→friction", check=I + "_validate_chunk_outbound"),
    Case("chunk-depends-on-missing", "project", field_(CHUNK2, "depends_on", "[no_chunk]"), VALIDATE,
         "chunk→chunk", check=I + "_validate_chunk_outbound"),
    Case("chunk-code-path-missing", "project", field_(CHUNK1, "code_paths", "\n- src/app.py\n- src/gone.py"),
         VALIDATE, "chunk→file", check=I + "_validate_chunk_file_paths"),
    Case("chunk-code-path-glob-empty", "project", field_(CHUNK1, "code_paths", "\n- src/app.py\n- src/*.rs"),
         VALIDATE, "chunk→file", check=I + "_validate_chunk_file_paths"),
    Case("chunk-code-reference-file-missing", "project",
         field_(CHUNK1, "code_references", REFS1 + "\n- ref: src/gone.py#x\n  implements: gone"), VALIDATE,
         "chunk→file", check=I + "_validate_chunk_file_paths"),
    Case("narrative-proposes-missing-chunk", "project", field_(NARRATIVE, "proposed_chunks",
         PROPOSE.format("no_chunk")), VALIDATE, "narrative→chunk", check=I + "_validate_narrative_chunk_refs"),
    Case("narrative-proposes-prefixed-chunk", "project", field_(NARRATIVE, "proposed_chunks",
         PROPOSE.format("docs/chunks/first_feature")), VALIDATE, "narrative→chunk",
         check=I + "_validate_narrative_chunk_refs"),
    Case("investigation-proposes-missing-chunk", "project", field_(INVESTIGATION, "proposed_chunks",
         PROPOSE.format("no_chunk")), VALIDATE, "investigation→chunk",
         check=I + "_validate_investigation_chunk_refs"),
    Case("investigation-proposes-prefixed-chunk", "project", field_(INVESTIGATION, "proposed_chunks",
         PROPOSE.format("docs/chunks/first_feature")), VALIDATE, "investigation→chunk",
         check=I + "_validate_investigation_chunk_refs"),
    Case("subsystem-lists-missing-chunk", "project",
         add_field(SUBSYSTEM, "chunks", "\n- chunk_id: no_chunk\n  relationship: implements"), VALIDATE,
         "subsystem→chunk", check=I + "_validate_subsystem_chunk_refs"),
    Case("subsystem-lists-chunk-without-backlink", "project",
         add_field(SUBSYSTEM, "chunks", "\n- chunk_id: first_feature\n  relationship: implements"), VALIDATE,
         "subsystem↔chunk", "warning", check=I + "_validate_subsystem_chunk_refs"),
    Case("friction-proposes-missing-chunk", "project", field_(FRICTION, "proposed_chunks",
         PROPOSE.format("no_chunk") + "\n  addresses: [F001]"), VALIDATE, "friction→chunk",
         check=I + "_validate_friction_chunk_refs"),
    Case("friction-proposes-prefixed-chunk", "project", field_(FRICTION, "proposed_chunks",
         PROPOSE.format("docs/chunks/first_feature") + "\n  addresses: [F001]"), VALIDATE, "friction→chunk",
         check=I + "_validate_friction_chunk_refs"),
    Case("code-backreference-missing-chunk", "project",
         write("src/other.py", "# Chunk: docs/chunks/no_chunk - gone\nX = 1\n"), VALIDATE, "code→chunk",
         check=I + "_validate_code_backreferences"),
    Case("code-backreference-not-in-code-references", "project",
         write("src/other.py", "# Chunk: docs/chunks/first_feature - also here\nX = 1\n"), VALIDATE,
         "code↔chunk", "warning", check=I + "_validate_code_backreferences"),
    Case("code-backreference-missing-subsystem", "project",
         write("src/other.py", "# Subsystem: docs/subsystems/no_sys - gone\nX = 1\n"), VALIDATE,
         "code→subsystem", check=I + "_validate_code_backreferences"),
    Case("allowlist-entry-unused", "project", write(".ve-config.yaml", ALLOW.format("scripts/none.py")),
         VALIDATE, "allowlist→unused", "warning", check=I + "_apply_backreference_allowlist"),
    Case("external-never-resolved", "task", drop_line("proj/docs/chunks/shared_work/external.yaml",
         "last_resolved"), VALIDATE, "external→never-resolved", "warning", cwd="proj",
         check=I + "_validate_external_ever_resolved"),
    Case("hook-matches-no-command", "project", write("docs/hooks/chunk-creat.md", "Run the linter first.\n"),
         VALIDATE, "hook→command", "warning", check=I + "_validate_hook_events"),
    Case("skills-rendered-by-older-ve", "project", restamp_skills("0.9.0"), VALIDATE, "skills→stale",
         "warning", also=("skills reify",), check=I + "_validate_local_skills_stale"),

    # --- ve chunk validate (chunk_validation.py) -------------------------------------------------
    Case("chunk-validate-status-future", "project", None, ("chunk", "validate", "later_one"),
         "chunk-status-not-completable", check="chunk_validation.validate_chunk_complete",
         not_covered="a gate on `ve chunk complete`: a FUTURE chunk is a valid repository state"),
    Case("chunk-validate-code-references-empty", "project", None, ("chunk", "validate", "second_feature"),
         "chunk-code-references-empty", check="chunk_validation.validate_chunk_complete",
         not_covered="a gate on `ve chunk complete`: an IMPLEMENTING chunk has no references yet "
                     "(an ACTIVE one without them is VE502)"),
    Case("chunk-validate-symbol-missing", "project",
         field_(CHUNK1, "code_references", REFS1 + "\n- ref: src/app.py#nope\n  implements: gone"),
         ("chunk", "validate", "first_feature"), "code-reference-symbol-missing",
         check="chunk_validation._validate_symbol_exists_with_context"),
    Case("chunk-validate-file-missing", "project",
         field_(CHUNK1, "code_references", REFS1 + "\n- ref: src/gone.py#x\n  implements: gone"),
         ("chunk", "validate", "first_feature"), "code-reference-file-missing",
         check="chunk_validation._validate_symbol_exists_with_context"),
    Case("chunk-complete-code-path-missing", "project",
         both(field_(CHUNK2, "code_paths", "\n- src/gone.py"), field_(CHUNK2, "code_references", REFS1)),
         ("chunk", "complete", "second_feature"), "chunk→file",
         check="chunk_validation.validate_chunk_references_exist",
         not_covered="a gate on `ve chunk complete`: an IMPLEMENTING chunk plans files it has not written "
                     "yet (on an ACTIVE chunk it is the row chunk-code-path-missing)"),
    Case("chunk-validate-subsystem-missing", "project",
         field_(CHUNK1, "subsystems", SUB.format("no_sys", "implements")), ("chunk", "validate", "first_feature"),
         "chunk→subsystem", check="chunk_validation.validate_chunk_complete"),
    Case("chunk-validate-repo-qualified-unchecked", "project",
         field_(CHUNK1, "code_references", REFS1 + "\n- ref: acme/other::src/a.py#f\n  implements: a peer"),
         ("chunk", "validate", "first_feature"), "code-reference-unchecked", "warning",
         check="chunk_validation._validate_symbol_exists_with_context"),

    # --- ve subsystem validate (subsystems.py) ---------------------------------------------------
    Case("subsystem-validate-missing-chunk", "project",
         add_field(SUBSYSTEM, "chunks", "\n- chunk_id: no_chunk\n  relationship: implements"),
         ("subsystem", "validate", "core_engine"), "subsystem→chunk", check="subsystems.validate_chunk_refs"),
    Case("subsystem-validate-symbol-missing", "project",
         field_(SUBSYSTEM, "code_references", "\n- ref: src/app.py#nope\n  implements: gone"),
         ("subsystem", "validate", "core_engine"), "code-reference-symbol-missing",
         check="subsystems.validate_code_references"),
    Case("subsystem-validate-file-missing", "project",
         field_(SUBSYSTEM, "code_references", "\n- ref: src/gone.py#x\n  implements: gone"),
         ("subsystem", "validate", "core_engine"), "code-reference-file-missing",
         check="subsystems.validate_code_references"),

    # --- ve workspace validate (workspace_validation.py) -----------------------------------------
    Case("workspace-unresolvable-bare", "workspace",
         write("src/x.py", "# Chunk: docs/chunks/no_chunk - gone\n"), WS_VALIDATE, "workspace:unresolvable-bare",
         check="workspace_validation.validate_workspace"),
    Case("workspace-misrouted-bare", "workspace",
         write("src/x.py", "# Chunk: docs/chunks/lib_chunk - lives in the member\n"), WS_VALIDATE,
         "workspace:misrouted-bare", check="workspace_validation.validate_workspace"),
    Case("workspace-unknown-qualifier", "workspace",
         write("src/x.py", "# Chunk: nosuch::docs/chunks/root_chunk - no such member\n"), WS_VALIDATE,
         "workspace:unknown-qualifier", check="workspace_validation.validate_workspace"),
    Case("workspace-missing-target", "workspace",
         write("src/x.py", "# Chunk: lib::docs/chunks/no_chunk - not in the member\n"), WS_VALIDATE,
         "workspace:missing-target", check="workspace_validation.validate_workspace"),
    Case("workspace-malformed-qualifier", "workspace",
         write("src/x.py", "# Chunk: ::docs/chunks/root_chunk - empty qualifier\n"), WS_VALIDATE,
         "workspace:malformed-qualifier", check="workspace_validation.validate_workspace"),
    Case("workspace-unresolvable-frontmatter", "workspace",
         both(write("src/root.py", "def shared():\n    return 3\n"), field_(LIB_CHUNK, "status", "ACTIVE"),
              field_(LIB_CHUNK, "code_references", "\n- ref: root::src/root.py#nope\n  implements: gone")),
         WS_VALIDATE,
         "workspace:unresolvable-frontmatter", check="workspace_validation.validate_workspace"),
    # A member tree's bare paths resolve in that tree, not at the workspace root.
    Case("workspace-unresolvable-frontmatter-bare", "workspace",
         both(field_(LIB_CHUNK, "status", "ACTIVE"),
              field_(LIB_CHUNK, "code_references", "\n- ref: src/lib_gone.py#x\n  implements: gone")),
         WS_VALIDATE, "workspace:unresolvable-frontmatter", check="workspace_validation.validate_workspace"),
    Case("workspace-unresolvable-frontmatter-glob", "workspace",
         both(field_(LIB_CHUNK, "status", "ACTIVE"), field_(LIB_CHUNK, "code_paths", "\n- src/*.rs")),
         WS_VALIDATE, "workspace:unresolvable-frontmatter", check="workspace_validation.validate_workspace"),
    Case("accept-member-tree-bare-reference", "workspace",
         both(write("packages/lib/src/lib.py", "def helper():\n    return 1\n"), field_(LIB_CHUNK, "status", "ACTIVE"),
              field_(LIB_CHUNK, "code_references", "\n- ref: src/lib.py#helper\n  implements: the helper"),
              field_(LIB_CHUNK, "code_paths", "\n- src/lib.py")),
         WS_VALIDATE, None),
]

# Rows today's ve-hooks disagrees on, with the reason (issue 21). The coordinator drops an entry
# when the rules work that fixes it is merged; a fixed row XPASSes, which fails the run.
KNOWN_GAPS: dict[str, str] = {
    # "<case id>": "why 0.10.0 reports it and ve-validate misses it or reports it lower"
}


def _upstream(root: Path, up: Upstream, case: Case) -> list[Finding]:
    cwd = root / case.cwd
    r = up.run(cwd, *case.command)
    out = r.stdout + r.stderr
    if case.command == WS_VALIDATE:
        return [Finding(str(Path(case.cwd, f.path)) if case.cwd != "." else f.path, f.severity, f.cls, f.target,
                        f.message) for f in parse_workspace_json(r.stdout)]
    if case.command[0] in ("chunk", "subsystem"):
        name = case.command[2]
        kind = "chunks" if case.command[0] == "chunk" else "subsystems"
        path = f"docs/{kind}/{name}/{'GOAL' if kind == 'chunks' else 'OVERVIEW'}.md"
        found = parse_messages(r.stderr, path)
    else:
        found = parse_validate(out)
    prefix = "" if case.cwd == "." else case.cwd + "/"
    return [Finding(prefix + f.path, f.severity, f.cls, f.target and prefix + f.target, f.message) for f in found]


def _ve_validate(root: Path) -> list[Finding]:
    r = invoke(validate_main, "--format", "json", cwd=root)
    assert r.code in (0, 1), r.stdout + r.stderr
    return parse_ve_validate_json(r.stdout)


def _build(case: Case, up: Upstream, bases: Callable[[str], Path], where: Path) -> Path:
    root = copy_base(bases(case.shape), where / case.shape)
    for cmd in case.also:
        up.run(root / case.cwd, *cmd.split(), check=True)
    if case.fault:
        case.fault(root, up)
    for git_root in ([root / "ext", root / "proj"] if case.shape == "task" else [root]):
        up.commit(git_root, f"case {case.id}")
    return root


def _params() -> list[object]:
    out: list[object] = []
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[c.id])] if c.id in KNOWN_GAPS else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, upstream: Upstream, bases: Callable[[str], Path], tmp_path: Path) -> None:
    root = _build(case, upstream, bases, tmp_path)
    theirs = _upstream(root, upstream, case)
    ours = _ve_validate(root if case.shape != "task" else root / "proj")
    if case.shape == "task":  # ve-validate runs in the project repository; paths are relative to it
        theirs = [Finding(f.path.removeprefix("proj/"), f.severity, f.cls, f.target.removeprefix("proj/"),
                          f.message) for f in theirs]
    if case.cls is None:
        assert not [f for f in theirs if f.severity == "error"], f"0.10.0 rejects its own output: {theirs}"
        bad = [f for f in ours if f.severity == "error" or f.cls.startswith("VE2")]
        assert not bad, f"0.10.0 accepts this, ve-validate reports: {bad}"
        return
    mine = [f for f in theirs if f.cls == case.cls]
    assert mine, f"0.10.0 did not report {case.cls}; it reported {theirs}"
    assert all(f.severity == case.severity for f in mine), mine
    if case.not_covered:
        return
    rules = case.rules or CLASS_RULES.get(case.cls, frozenset())
    verdicts = {f: match(f, ours, rules) for f in theirs if f.cls == case.cls}
    missed = {f: v for f, v in verdicts.items() if v != "matched"}
    assert not missed, (f"ve-validate misses what 0.10.0 reports ({missed}); "
                        f"ve-validate reported {[(d.path, d.severity, d.cls) for d in ours]}")


def _installed_python(upstream: Upstream) -> str:
    return str(upstream.ve.parent / "python")


def test_every_integrity_check_has_a_row(upstream: Upstream) -> None:
    """Each ``_validate_*`` check of IntegrityValidator (and ``_apply_backreference_allowlist``), and
    each link type integrity.py reports, in the installed release, has a row in CASES."""
    script = ("import inspect, json, re, integrity\n"
              "v = integrity.IntegrityValidator\n"
              "names = [n for n, _ in inspect.getmembers(v, inspect.isfunction)\n"
              "         if n.startswith('_validate_') or n == '_apply_backreference_allowlist']\n"
              "src = inspect.getsource(integrity)\n"
              "kinds = sorted(set(re.findall(r'link_type=\"([^\"]+)\"', src)))\n"
              "print(json.dumps({'checks': names, 'classes': kinds}))\n")
    r = subprocess.run([_installed_python(upstream), "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert len(found["checks"]) >= 8 and len(found["classes"]) >= 15, found  # the parse still sees them
    rows = {c.check for c in CASES}
    assert not [n for n in found["checks"] if I + n not in rows], "integrity.py checks with no row"
    classes = {c.cls for c in CASES}
    assert not [k for k in found["classes"] if k not in classes], "integrity.py finding classes with no row"
    assert not [k for k in found["classes"] if k not in CLASS_RULES], "classes missing from CLASS_RULES"


def test_known_gaps_name_rows() -> None:
    assert set(KNOWN_GAPS) <= {c.id for c in CASES}
    assert len({c.id for c in CASES}) == len(CASES)
