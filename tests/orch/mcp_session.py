"""An agent's side of AskOperator: the server from ``.mcp.json`` in a worktree like the daemon's."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from orch_support import git, run_ve
from support.cli import path_with_scripts


def daemon_like_worktree(repo: Path, chunk: str) -> Path:
    """Where and how vibe-engineer's daemon checks a chunk out: .ve/chunks/<chunk>/worktree, orch/<chunk>."""
    wt = repo / ".ve" / "chunks" / chunk / "worktree"
    git(repo, "worktree", "add", "-q", "-b", f"orch/{chunk}", str(wt))
    return wt


def mcp_entry(repo: Path) -> dict[str, Any]:
    return json.loads((repo / ".mcp.json").read_text())["mcpServers"]["ve-orch"]


def agent_env(**extra: str) -> dict[str, str]:
    """The agent's environment: ve-hooks on PATH, as when the daemon runs from an activated venv."""
    env = {**os.environ, "PATH": path_with_scripts()}
    env.update(extra)
    return env


async def call_ask_operator(cwd: Path, entry: dict[str, Any], env: dict[str, str],
                            **arguments: Any) -> tuple[bool, str]:
    """Start the server as Claude Code would (command, args, cwd) and call the tool once."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=env, cwd=str(cwd))
    async with Client(params) as client:
        result = await client.call_tool("AskOperator", arguments)
        return bool(result.is_error), "".join(getattr(c, "text", "") for c in result.content)


def call_in_thread(cwd: Path, entry: dict[str, Any], env: dict[str, str], **arguments: Any) -> dict[str, Any]:
    """A waiting tool call in the background: ``out["thread"]``, then ``out["result"]`` or ``out["error"]``."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = asyncio.run(call_ask_operator(cwd, entry, env, **arguments))
        except BaseException as e:  # surfaced by the test
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    out["thread"] = t
    return out


def wait_for_question(repo: Path, unit: str, timeout: float = 60, sync: bool = False) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sync:
            run_ve(repo, "sync")
        for e in json.loads(run_ve(repo, "attention", "--format", "json").stdout or "[]"):
            if e["unit"] == unit and e["source"] == "notes":
                return e
        time.sleep(0.2)
    raise AssertionError(f"no question of {unit} appeared in {repo}")


def result_of(call: dict[str, Any], timeout: float = 60) -> tuple[bool, str]:
    call["thread"].join(timeout)
    assert "error" not in call, call.get("error")
    assert "result" in call, "the tool call did not return"
    return call["result"]
