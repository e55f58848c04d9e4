"""The server's checks are ve-validate's: same findings, codes, messages and positions, whether a
document comes from disk or from an unsaved buffer. Plus where the cursor is (features)."""

from __future__ import annotations

from pathlib import Path

from support.repo_factory import GitRepo

from ve_hooks.lsp import cursor
from ve_hooks.lsp.workspace import Workspace
from ve_hooks.validation import engine

from .lsp_support import goal, make_repo

BROKEN = {
    "docs/chunks/gamma/GOAL.md": goal("DONE", ["beta"], depends_on=["nope"]),
    "docs/chunks/delta/GOAL.md": goal("FUTURE", []),
    "docs/chunks/eps/GOAL.md": "---\nstatus: ACTIVE\nticket: [\n---\n",
    "docs/chunks/zeta/GOAL.md": goal("ACTIVE", ["alpha"], ticket=123, creatd_after=["x"],
                                     code_references=[{"ref": "src/app.py#Nope", "implements": "x"}]),
}


def validate(repo: GitRepo, rel: str) -> list:
    out = engine.run(engine.Options(repo=str(repo.path), cwd=repo.path))
    return [d for d in out.diagnostics if d.path == rel]


def test_findings_match_ve_validate_from_disk_and_from_buffers(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    for rel, text in BROKEN.items():
        repo.write(rel, text)
    ws = Workspace(repo.path)
    ws.load()
    for rel in BROKEN:
        expected = validate(repo, rel)
        assert expected, rel
        assert ws.check(rel) == expected, rel
    # The same content typed into buffers over clean files on disk gives the same findings.
    for rel in BROKEN:
        repo.write(rel, goal("FUTURE", ["beta"]))
    ws2 = Workspace(repo.path)
    ws2.load()
    for rel, text in BROKEN.items():
        ws2.set_buffer(rel, text)
    for rel, text in BROKEN.items():
        repo.write(rel, text)
    for rel in BROKEN:
        assert ws2.check(rel) == validate(repo, rel), rel


def test_a_buffer_changes_tips_and_references_for_the_other_documents(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    ws = Workspace(repo.path)
    ws.load()
    assert ws.tips("chunk") == ["beta"]
    ws.set_buffer("docs/chunks/beta/GOAL.md", goal("HISTORICAL", ["alpha"]))
    assert ws.tips("chunk") == ["alpha"]  # a HISTORICAL chunk is no tip
    ws.close_buffer("docs/chunks/beta/GOAL.md")
    assert ws.tips("chunk") == ["beta"]  # closed unsaved: back to the file on disk


def test_cursor_places() -> None:
    text = ("---\nstatus: ACT\ncreated_after: [alpha, be]\nsubsystems:\n- subsystem_id: stor\n"
            "  relationship: uses\ncode_references:\n- ref: src/app.py#Eng\n  implements: x\nst\n---\nbody\n")
    c = cursor.cursor_at(text, 1, 11)
    assert c is not None and c.path == ("status",) and not c.on_key and c.token == "ACT"
    c = cursor.cursor_at(text, 2, len("created_after: [alpha, b"))
    assert c is not None and c.path == ("created_after",) and c.token == "be"
    c = cursor.cursor_at(text, 4, len("- subsystem_id: st"))
    assert c is not None and c.path == ("subsystems", "subsystem_id") and c.token == "stor"
    c = cursor.cursor_at(text, 5, 4)
    assert c is not None and c.path == ("subsystems", "relationship") and c.on_key
    c = cursor.cursor_at(text, 7, len("- ref: src/app.py#E"))
    assert c is not None and c.path == ("code_references", "ref") and c.token == "src/app.py#Eng"
    c = cursor.cursor_at(text, 9, 2)
    assert c is not None and c.on_key and c.path == ("st",)
    assert cursor.cursor_at(text, 11, 1) is None  # the body


def test_created_after_edits_in_buffers_match_ve_validate(tmp_path: Path) -> None:
    """Typing in created_after moves the kind's graph: cycles appear and go as ve-validate says."""
    repo = make_repo(tmp_path / "repo")
    beta, gamma = "docs/chunks/beta/GOAL.md", "docs/chunks/gamma/GOAL.md"
    repo.write(gamma, goal("FUTURE", ["beta"]))
    ws = Workspace(repo.path)
    ws.load()
    for rel in (beta, gamma):
        ws.check(rel)  # memoise the graph, as an open editor has
    steps = [
        (beta, goal("ACTIVE", ["alpha", "gamma"])),  # a cycle beta -> gamma -> beta
        (gamma, goal("FUTURE", ["alpha"])),  # and gone again
        (beta, goal("ACTIVE", ["beta"])),  # itself
        (beta, goal("ACTIVE", ["alpha"])),
    ]
    for rel, text in steps:
        ws.set_buffer(rel, text)
        repo.write(rel, text)
        for other in (beta, gamma):
            assert ws.check(other) == validate(repo, other), (rel, other, text)


def test_keystrokes_leave_nothing_behind_in_the_cache(tmp_path: Path) -> None:
    """An editing session must not grow the cache by one parse per keystroke."""
    repo = make_repo(tmp_path / "repo")
    ws = Workspace(repo.path)
    ws.load()
    rel = "docs/chunks/beta/GOAL.md"
    before = (len(ws.cache._pending), len(ws.cache._memo))
    for i in range(30):
        ws.set_buffer(rel, goal("ACTIVE", ["alpha"], ticket=f"T-{i}"))
        assert ws.check(rel) is not None
    assert (len(ws.cache._pending), len(ws.cache._memo)) == before
    ws.close()


def test_project_files_and_sources_are_diagnosed_as_ve_validate_does(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    files = {
        ".ve-config.yaml": "validation:\n  ignore_backreferences:\n    - path: tests/x.py\n",
        "docs/hooks/chunk-compelte.md": "Run the tests.\n",
        "src/tool.py": "# Chunk: docs/chunks/never_was\n",
    }
    for rel, text in files.items():
        repo.write(rel, text)
    repo.commit("project files")
    ws = Workspace(repo.path)
    ws.load()
    for rel in files:
        expected = validate(repo, rel)
        assert expected and ws.watches(rel), rel
        assert ws.check(rel) == expected, rel
    # Fixed in the buffer only: the editor sees it before the file is saved.
    ws.set_buffer("src/tool.py", "# Chunk: docs/chunks/alpha\n")
    assert [d.rule for d in ws.check("src/tool.py")] == ["VE705"]
    assert not ws.watches("docs/chunks/alpha/notes.txt")
