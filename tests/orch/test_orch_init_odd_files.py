"""`ve orch init` on the files a cloned repository can ship as `.mcp.json` (issue 23 items 1 and 6).

A link (to outside the repository, or inside it) is refused, and so is anything that is not a
regular UTF-8 file holding JSON we can parse, or a read-only file: exit 2, nothing changed, no
hang (a FIFO blocks a plain open). What is merged keeps its line endings, BOM and mode.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from orch_support import Ve

from ve_hooks.orch import config_file


def _unchanged_git(orepo: Path) -> None:
    """A refused init changes nothing at all, git configuration included."""
    proc = subprocess.run(["git", "-C", str(orepo), "config", "--get-all", "notes.rewriteRef"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout == ""


def test_a_link_to_a_file_outside_the_repository_is_refused_and_never_written(orepo: Path, ve: Ve,
                                                                             tmp_path: Path) -> None:
    outside = tmp_path / "home-claude.json"
    outside.write_text('{"mcpServers": {"mine": {"command": "x"}}}\n')
    before = outside.read_bytes()
    (orepo / ".mcp.json").symlink_to(outside)
    for args in (("init",), ("init", "--check")):
        r = ve(*args, timeout=30)
        assert "Traceback" not in r.stderr
        assert outside.read_bytes() == before
        assert (orepo / ".mcp.json").is_symlink()
    r = ve("init")
    assert r.returncode == 2 and ".mcp.json: is a symbolic link" in r.stderr and "nothing was changed" in r.stderr
    check = ve("init", "--check")
    assert check.returncode == 1 and "symbolic link" in check.stdout
    _unchanged_git(orepo)


def test_a_link_inside_the_repository_is_refused_too(orepo: Path, ve: Ve) -> None:
    (orepo / "config").mkdir()
    (orepo / "config" / "mcp.json").write_text("{}\n")
    (orepo / ".mcp.json").symlink_to("config/mcp.json")
    r = ve("init")
    assert r.returncode == 2 and "symbolic link (to config/mcp.json)" in r.stderr
    assert (orepo / "config" / "mcp.json").read_text() == "{}\n"


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _dir(p: Path) -> None:
    p.mkdir()


def _bytes(data: bytes):  # noqa: ANN202 - a tiny factory
    return lambda p: p.write_bytes(data)


ODD = {
    "fifo": (_fifo, "is a FIFO, not a regular file"),
    "directory": (_dir, "is a directory, not a regular file"),
    "invalid-utf8": (_bytes(b'{"mcpServers": {"a\xff": {}}}\n'), "line 1: not UTF-8 (byte 0xff"),
    "deep-json": (_bytes(b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    "huge-number": (_bytes(b'{"n": ' + b"7" * 5000 + b"}\n"), "a value cannot be read"),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("kind", list(ODD))
def test_odd_files_are_refused_with_exit_2_without_hanging(orepo: Path, ve: Ve, kind: str) -> None:
    make, why = ODD[kind]
    target = orepo / ".mcp.json"
    make(target)
    before = target.read_bytes() if target.is_file() else None
    r = ve("init", timeout=30)  # a FIFO opened for reading would block forever
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert why in r.stderr and ".mcp.json" in r.stderr and "Traceback" not in r.stderr
    assert "internal error" not in r.stderr
    check = ve("init", "--check", timeout=30)
    assert check.returncode == 1 and why in check.stdout and "internal error" not in check.stderr
    if before is not None:
        assert target.read_bytes() == before
    _unchanged_git(orepo)


def test_a_read_only_file_is_refused_not_replaced(orepo: Path, ve: Ve) -> None:
    target = orepo / ".mcp.json"
    target.write_text('{"mcpServers": {}}\n')
    target.chmod(0o444)
    r = ve("init")
    assert r.returncode == 2 and "read-only" in r.stderr and "chmod u+w" in r.stderr
    assert target.read_text() == '{"mcpServers": {}}\n' and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_crlf_bom_and_mode_are_kept(orepo: Path, ve: Ve) -> None:
    target = orepo / ".mcp.json"
    original = b'\xef\xbb\xbf{\r\n  "mcpServers": {\r\n    "gh": {"command": "npx"}\r\n  }\r\n}\r\n'
    target.write_bytes(original)
    target.chmod(0o600)
    r = ve("init")
    assert r.returncode == 0, r.stderr
    new = target.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") and b"\n" not in new.replace(b"\r\n", b"")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = json.loads(new[3:])
    assert set(doc["mcpServers"]) == {"gh", "ve-orch"}
    assert new.endswith(b'"gh": {"command": "npx"}\r\n  }\r\n}\r\n')


def test_the_door_refuses_a_linked_folder_on_the_way(tmp_path: Path) -> None:
    """`.gemini/settings.json` through a linked `.gemini/` is as outside as a linked file."""
    root = tmp_path / "repo"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".gemini").symlink_to(elsewhere)
    with pytest.raises(config_file.ConfigRefused, match=r"\.gemini is a symbolic link"):
        config_file.merge(root / ".gemini" / "settings.json", root, lambda cfg: "{}\n")
    assert not (elsewhere / "settings.json").exists()


def test_the_report_escapes_what_the_repository_wrote(orepo: Path, ve: Ve) -> None:
    """A cloned .mcp.json's command is printed by --check: through the output guard."""
    (orepo / ".mcp.json").write_text(json.dumps({"mcpServers": {"ve-orch": {"command": "ve\x1b]0;owned\x07\x1b[2J"}}}))
    r = ve("init", "--check")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "its command `ve" in r.stdout


_json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["mcpServers", "ve-orch", "a", ""]),
                                                                inner, max_size=3),
    max_leaves=10,
).map(json.dumps)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=60) | _json_text.map(str.encode)
       | _json_text.map(lambda t: t.replace(", ", ",\r\n").encode()))
def test_any_content_is_merged_exactly_or_refused(tmp_path: Path, content: bytes) -> None:
    """Whatever bytes `.mcp.json` holds, the door either merges (the result parses and holds our
    server) or refuses with ConfigRefused; nothing else escapes and a refusal writes nothing."""
    from ve_hooks.orch.init import add_server, server_entry

    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    target = root / ".mcp.json"
    target.write_bytes(content)

    def edit(cfg: config_file.ConfigText) -> str | None:
        new, changed = add_server(cfg.text, server_entry())
        return new if changed else None

    try:
        config_file.merge(target, root, edit)
    except config_file.ConfigRefused:
        assert target.read_bytes() == content
        return
    doc = json.loads(target.read_bytes().decode("utf-8-sig"))
    assert doc["mcpServers"]["ve-orch"] == server_entry() or "ve-orch" in json.loads(content)["mcpServers"]
