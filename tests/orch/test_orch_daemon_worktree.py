"""AskOperator inside an agent of vibe-engineer's daemon: the server as `.mcp.json` starts it.

The daemon checks each chunk out at ``.ve/chunks/<chunk>/worktree`` on branch ``orch/<chunk>`` and
starts its agent there; Claude Code starts the servers of the worktree's (committed) ``.mcp.json``
in that directory. Here a real MCP client session does the same with the entry `ve orch init`
wrote, and operators answer from the main checkout or from another clone.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from mcp_session import (
    agent_env,
    call_ask_operator,
    call_in_thread,
    daemon_like_worktree,
    mcp_entry,
    result_of,
    wait_for_question,
)
from orch_support import clone_through_remote, git, run_ve

from ve_hooks.orch.worktree_unit import infer

pytest.importorskip("mcp")


@pytest.fixture
def inited(orepo: Path) -> Path:
    """`ve orch init` run and .mcp.json committed, as the docs say."""
    assert run_ve(orepo, "init").returncode == 0
    git(orepo, "add", ".mcp.json")
    git(orepo, "commit", "-q", "-m", "AskOperator for the orchestrator")
    return orepo


def test_infer_from_branch_path_and_nothing(orepo: Path) -> None:
    wt = daemon_like_worktree(orepo, "my_chunk")
    assert infer(wt).unit == "my_chunk" and infer(wt).how == "branch orch/my_chunk"
    (wt / "src").mkdir()
    assert infer(wt / "src").unit == "my_chunk"
    # Detached (as during a rebase) but where the daemon puts the chunk's worktree.
    detached = orepo / ".ve" / "chunks" / "other_chunk" / "worktree"
    git(orepo, "worktree", "add", "-q", "--detach", str(detached))
    assert infer(detached).unit == "other_chunk"
    # Task context: one worktree per repository under work/<repo>.
    task = orepo / ".ve" / "chunks" / "task_chunk" / "work" / "api"
    git(orepo, "worktree", "add", "-q", "--detach", str(task))
    assert infer(task).unit == "task_chunk"
    # The main checkout, and a worktree on a branch that is not orch/<chunk>: no unit, with why.
    main = infer(orepo)
    assert main.unit is None and "on branch main, not orch/<chunk>" in main.how
    plain = orepo.parent / "plain"
    git(orepo, "worktree", "add", "-q", "-b", "feature/x", str(plain))
    assert infer(plain).unit is None
    # A branch orch/<name> whose name is no valid unit is not taken either.
    git(orepo, "worktree", "add", "-q", "-b", "orch/a/b", str(orepo.parent / "bad"))
    assert infer(orepo.parent / "bad").unit is None


def test_the_tool_waits_and_an_answer_from_the_main_checkout_releases_it(inited: Path) -> None:
    wt = daemon_like_worktree(inited, "my_chunk")
    entry = mcp_entry(wt)  # the committed file, as the worktree has it
    assert entry["args"] == ["orch", "mcp", "--wait", "1800"] and "--unit" not in entry["args"]
    call = call_in_thread(wt, entry, agent_env(), question="Which database?", options=["sqlite", "postgres"])
    q = wait_for_question(inited, "my_chunk")  # visible at once, from the main checkout
    assert q["text"] == "Which database?" and call["thread"].is_alive()  # the agent is still waiting
    r = run_ve(inited, "answer", "my_chunk", "sqlite, it is small")  # vibe-engineer's positional form
    assert r.returncode == 0, r.stderr
    is_error, text = result_of(call)
    assert not is_error and "sqlite, it is small" in text
    log = run_ve(inited, "log", "my_chunk").stdout
    assert "via wait" in log
    assert json.loads(run_ve(inited, "attention", "--format", "json").stdout) == []


def test_the_wait_ends_in_a_tool_error_and_the_question_stays_open(inited: Path) -> None:
    wt = daemon_like_worktree(inited, "slow_chunk")
    entry = {**mcp_entry(wt), "args": ["orch", "mcp", "--wait", "1"]}
    is_error, text = asyncio.run(call_ask_operator(wt, entry, agent_env(), question="Anyone there?"))
    assert is_error
    assert "No answer from the operator to question q-" in text and "within 1 s" in text
    assert "stays open in `ve orch attention`" in text
    q = wait_for_question(inited, "slow_chunk", timeout=5)
    assert q["status"] == "OPEN"


def test_outside_any_unit_the_tool_says_so_and_records_nothing(inited: Path) -> None:
    is_error, text = asyncio.run(call_ask_operator(inited, mcp_entry(inited), agent_env(), question="Where am I?"))
    assert is_error
    assert "cannot tell which work unit" in text and "on branch main" in text and "Nothing was recorded" in text
    assert json.loads(run_ve(inited, "attention", "--format", "json").stdout) == []


def test_an_answer_from_another_clone_after_sync_releases_the_wait(tmp_path: Path, inited: Path) -> None:
    operator = clone_through_remote(tmp_path, inited, "operator")
    wt = daemon_like_worktree(inited, "far_chunk")
    call = call_in_thread(wt, mcp_entry(wt), agent_env(VE_ORCH_REMOTE_POLL="0.5"), question="Ship it?")
    q = wait_for_question(operator, "far_chunk", sync=True)  # the server pushed it; sync brought it here
    assert q["text"] == "Ship it?"
    assert run_ve(operator, "answer", "far_chunk", "yes, ship it").returncode == 0
    assert run_ve(operator, "sync").returncode == 0
    is_error, text = result_of(call)
    assert not is_error and "yes, ship it" in text
