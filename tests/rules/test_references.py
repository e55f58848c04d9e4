"""VE401-VE405 on real git repositories: commits, staged deletions, renames, external refs."""

from __future__ import annotations

import json
from typing import Any

from rule_support import rule_context, run_rule
from support.cli import script
from support.repo_factory import GitRepo, render_frontmatter

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.rules import references

VE_VALIDATE = script("ve-validate")


def _check(r: GitRepo, **kw: Any) -> list[Diagnostic]:
    return run_rule(references.check, r, **kw)


def _cli(r: GitRepo, *args: str) -> dict[str, Any]:
    import subprocess

    p = subprocess.run([VE_VALIDATE, "--format", "json", "--select", "VE4", *args], cwd=r.path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def _overview(kind_dir: str, name: str, **data: Any) -> tuple[str, str]:
    return f"docs/{kind_dir}/{name}/OVERVIEW.md", f"---\n{render_frontmatter(data)}---\n\n# {name}\n"


def test_all_references_resolve(repo: GitRepo) -> None:
    repo.chunk("base", "ACTIVE")
    repo.chunk("0006-legacy", "ACTIVE")
    repo.write("docs/chunks/shared/external.yaml", "artifact_id: shared\nartifact_type: chunk\nrepo: o/r\n"
               "last_resolved: '2026-10-01T12:00:00+00:00'\n")
    repo.write(*_overview("narratives", "story", status="ACTIVE", created_after=[],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": "user", "depends_on": []}]))
    repo.write(*_overview("subsystems", "0001-validation", status="DOCUMENTED", created_after=[],
                          chunks=[{"chunk_id": "user", "relationship": "implements"}]))
    repo.write(*_overview("investigations", "probe", status="ONGOING", created_after=[],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": "user"}]))
    repo.write("docs/trunk/FRICTION.md", "# Friction Log\n\n### F001: 2026-01-01 [x] pain\n")
    repo.chunk("user", "ACTIVE", ["base", "shared"], parent_chunk="docs/chunks/0006-legacy",
               narrative="story", investigation="probe", depends_on=["base"],
               subsystems=[{"subsystem_id": "0001-validation", "relationship": "implements"}],
               friction_entries=[{"entry_id": "F001", "scope": "full"}])
    repo.commit("all good")
    assert _check(repo) == []


def test_missing_parent_and_close_spelling(repo: GitRepo) -> None:
    repo.chunk("auth_refactor", "ACTIVE")
    repo.chunk("user", "ACTIVE", ["auth_refactr"], parent_chunk="ghost")
    repo.commit()
    ds = _check(repo)
    assert [d.rule for d in ds] == ["VE401", "VE401"]
    by_msg = {d.message: d for d in ds}
    parent = by_msg["parent_chunk names chunk 'ghost', which does not exist"]
    assert parent.severity is Severity.ERROR and parent.line == 4
    assert "docs/chunks/ghost/" in parent.hint
    ca = by_msg["created_after[0] names chunk 'auth_refactr', which does not exist"]
    assert ca.hint == "did you mean 'auth_refactor'?"


def test_legacy_numbered_name_gets_rename_hint(repo: GitRepo) -> None:
    repo.chunk("segment-compaction", "ACTIVE")
    repo.chunk("user", "ACTIVE", parent_chunk="0006-segment-compaction")
    repo.commit()
    [d] = _check(repo)
    assert d.rule == "VE401" and d.fix is not None  # issue 18: the rename is a safe fix
    assert d.fix.safe and d.fix.changes[0].value == "segment-compaction"
    assert d.hint == "renamed to 'segment-compaction'? update the reference"
    assert d.data["renamed_to"] == "segment-compaction"


def test_staged_reference_to_chunk_deleted_in_same_commit(repo: GitRepo) -> None:
    repo.chunk("doomed", "ACTIVE")
    repo.chunk("user", "ACTIVE", ["doomed"])
    repo.commit()
    repo.remove("docs/chunks/doomed")
    repo.write("docs/untracked-noise.txt", "x")  # not staged, irrelevant
    [d] = _check(repo, staged=True)
    assert d.rule == "VE401" and "this change deletes" in d.message
    assert "restore it" in d.hint
    # The same through the console script: an error with --staged, nothing at HEAD.
    out = _cli(repo, "--staged")
    assert [(x["rule"], x["path"], x["line"]) for x in out["diagnostics"]] == [
        ("VE401", "docs/chunks/user/GOAL.md", d.line)]
    assert _cli(repo, "--rev", "HEAD")["diagnostics"] == []


def test_git_rename_of_referenced_chunk(repo: GitRepo) -> None:
    repo.chunk("old_name", "ACTIVE")
    repo.write("docs/chunks/old_name/PLAN.md", "# Plan\n\nDo it.\n")
    repo.chunk("user", "ACTIVE", ["old_name"])
    repo.commit()
    repo.git("mv", "docs/chunks/old_name", "docs/chunks/brand_new")
    repo.chunk("brand_new", "HISTORICAL")  # edited while moving: the plan still matches
    repo.add()
    [d] = _check(repo, staged=True)
    assert d.rule == "VE401" and d.hint == "renamed to 'brand_new'? update the reference"
    out = _cli(repo, "--staged")
    [x] = out["diagnostics"]
    assert x["hint"] == d.hint and x["data"]["renamed_to"] == "brand_new"


def test_wrong_kind_reference(repo: GitRepo) -> None:
    repo.chunk("some_chunk", "ACTIVE")
    repo.chunk("user", "ACTIVE", narrative="some_chunk")
    repo.commit()
    [d] = _check(repo)
    assert d.rule == "VE402"
    assert d.message == "narrative names 'some_chunk', which is a chunk, not a narrative"


def test_friction_entries(repo: GitRepo) -> None:
    repo.chunk("user", "ACTIVE", friction_entries=[{"entry_id": "F002", "scope": "full"}])
    repo.commit()
    [d] = _check(repo)
    assert d.rule == "VE403" and "there is no docs/trunk/FRICTION.md" in d.message
    repo.write("docs/trunk/FRICTION.md", "# Friction\n\n### F001: a\n\n### F003: b\n")
    repo.commit()
    [d] = _check(repo)
    assert d.rule == "VE403" and d.message == "friction entry 'F002' is not a heading in docs/trunk/FRICTION.md"
    repo.write("docs/trunk/FRICTION.md", "# Friction\n\n### F002: now here\n")
    assert _check(repo) == []  # worktree snapshot sees the unstaged edit


def test_narrative_backlink_warning(repo: GitRepo) -> None:
    repo.write(*_overview("narratives", "story", status="DRAFTING", created_after=[],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": None}]))
    repo.chunk("user", "FUTURE", narrative="story")
    repo.commit()
    [d] = _check(repo)
    assert (d.rule, d.severity) == ("VE404", Severity.WARNING)
    assert "chunk_directory: user" in d.hint
    repo.write(*_overview("narratives", "story", status="DRAFTING", created_after=[],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": "user"}]))
    assert _check(repo) == []


def test_subsystem_backlinks_both_ways_as_vibe_engineer_checks_them(repo: GitRepo) -> None:
    # vibe-engineer 0.10.0 warns for every chunk naming a subsystem that does not list it
    # (any status, `uses` as well as `implements`), and for a subsystem listing a chunk whose
    # subsystems do not name it back.
    repo.write(*_overview("subsystems", "validation", status="DOCUMENTED", created_after=[],
                          chunks=[{"chunk_id": "listed", "relationship": "implements"},
                                  {"chunk_id": "one_sided", "relationship": "uses"}]))
    impl = [{"subsystem_id": "validation", "relationship": "implements"}]
    repo.chunk("listed", "ACTIVE", subsystems=impl)
    repo.chunk("one_sided", "ACTIVE")
    repo.chunk("unlisted", "ACTIVE", subsystems=impl)
    repo.chunk("planned", "IMPLEMENTING", subsystems=impl)
    repo.chunk("user_only", "ACTIVE", subsystems=[{"subsystem_id": "validation", "relationship": "uses"}])
    repo.commit()
    got = sorted((d.rule, d.severity, d.path) for d in _check(repo))
    assert got == [("VE405", Severity.WARNING, f"docs/chunks/{n}/GOAL.md") for n in ("planned", "unlisted", "user_only")] + [
        ("VE407", Severity.WARNING, "docs/subsystems/validation/OVERVIEW.md")]
    [d] = [d for d in _check(repo) if d.rule == "VE407"]
    assert "one_sided" in d.message and "docs/chunks/one_sided/GOAL.md" in d.hint


def test_investigation_backlink_prefixed_directories_and_friction_proposals(repo: GitRepo) -> None:
    repo.chunk("probe_fix", "ACTIVE", investigation="probe")
    repo.chunk("listed_fix", "ACTIVE", investigation="probe")
    repo.write(*_overview("investigations", "probe", status="ONGOING", created_after=[],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": "docs/chunks/listed_fix"}]))
    repo.write("docs/trunk/FRICTION.md", "---\nthemes: []\nproposed_chunks:\n"
               "- prompt: fix it\n  chunk_directory: never_made\n  addresses: [F001]\n---\n\n"
               "# Friction Log\n\n### F001: 2026-01-01 [x] pain\n")
    repo.commit()
    got = sorted((d.rule, d.severity, d.path, d.message) for d in _check(repo))
    assert got == [
        ("VE401", Severity.ERROR, "docs/trunk/FRICTION.md",
         "proposed_chunks[0].chunk_directory names chunk 'never_made', which does not exist"),
        ("VE406", Severity.WARNING, "docs/chunks/probe_fix/GOAL.md",
         "investigation 'probe' does not list this chunk in its proposed_chunks"),
        ("VE408", Severity.ERROR, "docs/investigations/probe/OVERVIEW.md",
         "chunk_directory 'docs/chunks/listed_fix' is a path; vibe-engineer expects the chunk's name"),
    ]


def test_external_pointer_never_resolved(repo: GitRepo) -> None:
    repo.chunk("base", "ACTIVE")
    repo.write("docs/chunks/fresh/external.yaml", "artifact_id: fresh\nartifact_type: chunk\nrepo: o/r\n"
               "track: main\n")
    repo.write("docs/chunks/resolved/external.yaml", "artifact_id: resolved\nartifact_type: chunk\nrepo: o/r\n"
               "last_resolved: '2026-10-01T12:00:00+00:00'\n")
    repo.write("docs/chunks/peer/external.yaml", "artifact_id: peer\nartifact_type: chunk\ntree: other\n")
    repo.commit()
    [d] = _check(repo)
    assert (d.rule, d.severity, d.path, d.line) == ("VE409", Severity.WARNING, "docs/chunks/fresh/external.yaml", 3)
    assert d.hint.startswith("run `ve external resolve fresh`")


def test_overview_chunk_lists_must_exist(repo: GitRepo) -> None:
    repo.chunk("real", "ACTIVE")
    repo.write(*_overview("narratives", "story", status="ACTIVE", created_after=["nope"],
                          proposed_chunks=[{"prompt": "p", "chunk_directory": "real"},
                                           {"prompt": "q", "chunk_directory": "imaginary"},
                                           {"prompt": "r", "chunk_directory": None}]))
    repo.write(*_overview("subsystems", "sub", status="STABLE", created_after=[],
                          chunks=[{"chunk_id": "vanished", "relationship": "uses"}]))
    repo.commit()
    got = {(d.rule, d.path, d.message) for d in _check(repo)}
    assert got == {
        ("VE401", "docs/narratives/story/OVERVIEW.md", "created_after[0] names narrative 'nope', which does not exist"),
        ("VE401", "docs/narratives/story/OVERVIEW.md",
         "proposed_chunks[1].chunk_directory names chunk 'imaginary', which does not exist"),
        ("VE401", "docs/subsystems/sub/OVERVIEW.md", "chunks[0].chunk_id names chunk 'vanished', which does not exist"),
    }


def test_resolve_prefers_exact_and_reports_deletion_without_base(repo: GitRepo) -> None:
    repo.chunk("x", "ACTIVE")
    repo.commit()
    ctx = rule_context(repo)
    assert references.resolve(ctx.repo, ctx.base, "chunk", "docs/chunks/x/GOAL.md").found
    res = references.resolve(ctx.repo, None, "chunk", "y")
    assert not res.found and not res.deleted and res.renamed_to is None
