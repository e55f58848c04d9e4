"""docs/orchestrator.md, "With vibe-engineer's orchestrator": its commands, verbatim, in the setting
the page describes (a daemon stand-in on the socket, an agent waiting in a daemon-like worktree).

The uninstalling blocks need real installs: tests/test_vibe_engineer_coexist.py runs them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from daemon_standin import StandInDaemon, work_unit
from mcp_session import (
    agent_env,
    call_in_thread,
    daemon_like_worktree,
    mcp_entry,
    result_of,
    wait_for_question,
)
from orch_support import clone_through_remote, git, run_ve
from support.cli import path_with_scripts
from support.docblocks import blocks

pytest.importorskip("mcp")
BLOCKS = blocks("docs/orchestrator.md")


def run_block(name: str, cwd: Path, **env: str) -> list[subprocess.CompletedProcess[str]]:
    """Each command of the block through bash, with this environment's `ve` first on PATH."""
    full = {**os.environ, **env, "PATH": path_with_scripts()}
    full.pop("VE_HOOKS_ALONE", None)
    return [subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, env=full, timeout=120)
            for cmd in BLOCKS[name]]


def test_the_section_has_its_blocks() -> None:
    assert {"init", "answer", "clone", "uninstall-vibe-engineer", "uninstall-ve-hooks"} <= set(BLOCKS)
    assert BLOCKS["answer"][1] == 've orch answer my_chunk "Keep the old format as an alias"'


def test_set_up(orepo: Path) -> None:
    results = run_block("init", orepo)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    assert "ok: .mcp.json declares the ve-orch server (AskOperator)" in results[2].stdout
    assert git(orepo, "show", "HEAD:.mcp.json")  # committed: the daemon's worktrees will have it


def _inited(repo: Path) -> None:
    assert [r.returncode for r in run_block("init", repo)] == [0, 0, 0]


def test_answering_releases_the_waiting_agent_and_the_daemons_unit(orepo: Path) -> None:
    _inited(orepo)
    wt = daemon_like_worktree(orepo, "my_chunk")
    call = call_in_thread(wt, mcp_entry(wt), agent_env(), question="Keep the old coderef format?")
    wait_for_question(orepo, "my_chunk")
    with StandInDaemon(orepo) as daemon:
        daemon.units["daemon_chunk"] = work_unit("daemon_chunk", attention_reason="A or B?")
        attention, to_notes, to_daemon = run_block("answer", orepo)
        assert attention.returncode == 1
        assert "my_chunk  [notes]" in attention.stdout and "daemon_chunk  [daemon]" in attention.stdout
        assert to_notes.returncode == 0 and to_daemon.returncode == 0, to_notes.stderr + to_daemon.stderr
        assert daemon.units["daemon_chunk"]["pending_answer"] == "use option a"
    is_error, text = result_of(call)
    assert not is_error and "Keep the old format as an alias" in text


def test_answering_from_another_clone(tmp_path: Path, orepo: Path) -> None:
    _inited(orepo)
    clone = clone_through_remote(tmp_path, orepo, "operator")
    assert run_ve(orepo, "init").returncode == 0  # now with the remote: its fetch refspec
    wt = daemon_like_worktree(orepo, "my_chunk")
    call = call_in_thread(wt, mcp_entry(wt), agent_env(VE_ORCH_REMOTE_POLL="0.5"), question="Alias?")
    wait_for_question(clone, "my_chunk", sync=True)
    results = run_block("clone", clone)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    is_error, text = result_of(call)
    assert not is_error and "Keep the old format as an alias" in text
