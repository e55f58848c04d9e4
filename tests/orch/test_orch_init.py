"""`ve orch init`: .mcp.json (merged as text, idempotent) and the git configuration for the notes."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from orch_support import Ve, clone_through_remote, git, run_ve

from ve_hooks.orch.init import SERVER_NAME, add_server, server_entry


def _only_insertions(old: str, new: str) -> bool:
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in ops)


def test_init_without_mcp_json_creates_it_and_configures_git(orepo: Path, ve: Ve) -> None:
    r = ve("init", "--check")
    assert r.returncode == 1
    assert "missing: .mcp.json declares the ve-orch server" in r.stdout
    assert "missing: notes.rewriteRef includes refs/notes/ve/*" in r.stdout
    r = ve("init")
    assert r.returncode == 0, r.stderr
    doc = json.loads((orepo / ".mcp.json").read_text())
    assert doc == {"mcpServers": {"ve-orch": {"type": "stdio", "command": "ve-hooks",
                                              "args": ["orch", "mcp", "--wait", "1800"]}}}
    assert git(orepo, "config", "--get-all", "notes.rewriteRef") == "refs/notes/ve/*"
    assert "todo: .mcp.json is committed" in r.stdout
    assert ve("init", "--check").returncode == 1  # not committed yet: the worktrees would not see it
    git(orepo, "add", ".mcp.json")
    git(orepo, "commit", "-q", "-m", "AskOperator")
    r = ve("init", "--check")
    assert r.returncode == 0, r.stdout
    before = (orepo / ".mcp.json").read_bytes()
    r = ve("init")  # idempotent: nothing done, nothing changed
    assert r.returncode == 0 and "done:" not in r.stdout
    assert (orepo / ".mcp.json").read_bytes() == before
    assert git(orepo, "config", "--get-all", "notes.rewriteRef") == "refs/notes/ve/*"


EXISTING = """{
    "mcpServers": {
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}
        }
    },
    "other": [1, 2,   3]
}
"""


def test_init_merges_into_an_existing_mcp_json_keeping_every_byte(orepo: Path, ve: Ve) -> None:
    (orepo / ".mcp.json").write_text(EXISTING)
    r = ve("init", "--wait", "600")
    assert r.returncode == 0, r.stderr
    new = (orepo / ".mcp.json").read_text()
    assert _only_insertions(EXISTING, new)
    doc = json.loads(new)
    assert set(doc["mcpServers"]) == {"github", "ve-orch"}
    assert doc["mcpServers"]["ve-orch"]["args"] == ["orch", "mcp", "--wait", "600"]
    assert '\n        "ve-orch": {\n            "type": "stdio",' in new  # the file's own indentation
    assert ve("init").returncode == 0 and (orepo / ".mcp.json").read_text() == new


def test_init_refuses_an_unparsable_mcp_json_and_changes_nothing(orepo: Path, ve: Ve) -> None:
    (orepo / ".mcp.json").write_text('{"mcpServers": {,}\n')
    r = ve("init")
    assert r.returncode == 2 and ".mcp.json:1:" in r.stderr and "Traceback" not in r.stderr
    assert (orepo / ".mcp.json").read_text() == '{"mcpServers": {,}\n'
    assert git_config(orepo, "notes.rewriteRef") == ""


def git_config(repo: Path, key: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(repo), "config", "--get-all", key], capture_output=True,
                          text=True).stdout.strip()


def test_fetch_refspec_brings_remote_notes_where_sync_merges_from(tmp_path: Path, orepo: Path, ve: Ve) -> None:
    other = clone_through_remote(tmp_path, orepo, "other")
    assert run_ve(other, "ask", "u1", "--question", "From the other clone?").returncode == 0
    assert run_ve(other, "sync").returncode == 0
    assert ve("init").returncode == 0
    assert git_config(orepo, "remote.origin.fetch").splitlines()[-1] == "+refs/notes/ve/*:refs/notes/ve/*-remote/origin"
    assert git_config(orepo, "remote.origin.push") == ""  # plain `git push` keeps pushing the branch
    git(orepo, "fetch", "-q")  # plain git fetch
    assert git(orepo, "rev-parse", "refs/notes/ve/orch-remote/origin") == git(other, "rev-parse", "refs/notes/ve/orch")
    assert "From the other clone?" not in ve("attention").stdout  # our own ref is untouched...
    assert run_ve(orepo, "sync").returncode == 0
    assert "From the other clone?" in ve("attention").stdout  # ...until sync merges it
    # A remote that lists push refspecs already gets ours too.
    git(orepo, "config", "remote.origin.push", "refs/heads/main:refs/heads/main")
    assert ve("init", "--check").returncode == 1
    assert ve("init").returncode == 0 and ve("init", "--check").returncode == 1  # .mcp.json not committed
    assert git_config(orepo, "remote.origin.push").splitlines() == ["refs/heads/main:refs/heads/main",
                                                                  "refs/notes/ve/orch:refs/notes/ve/orch"]


def test_check_warns_when_the_server_command_is_not_on_path(orepo: Path, ve: Ve) -> None:
    assert ve("init", "--command", "no-such-ve-hooks-binary").returncode == 0
    out = ve("init", "--check").stdout
    assert "warning: its command `no-such-ve-hooks-binary` is on PATH" in out


@given(
    servers=st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k != SERVER_NAME),
                            st.dictionaries(st.sampled_from(["command", "args", "url"]),
                                            st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5))),
                                            max_size=3),
                            max_size=4),
    others=st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k != "mcpServers"),
                           st.one_of(st.integers(), st.text(max_size=10), st.none()), max_size=3),
    with_servers=st.booleans(),
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
    crlf=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_add_server_only_inserts(servers: dict, others: dict, with_servers: bool, indent: object, crlf: bool) -> None:
    doc = dict(others)
    if with_servers:
        doc["mcpServers"] = servers
    old = json.dumps(doc, indent=indent)  # type: ignore[arg-type]
    if crlf:
        old = old.replace("\n", "\r\n")
    new, changed = add_server(old, server_entry())
    assert changed
    assert json.loads(new) == {**doc, "mcpServers": {SERVER_NAME: server_entry(), **(servers if with_servers else {})}}
    if doc and (not with_servers or servers):  # an empty object's inner whitespace may be reflowed
        assert _only_insertions(old, new)
    again, changed_again = add_server(new, server_entry())
    assert again == new and not changed_again
