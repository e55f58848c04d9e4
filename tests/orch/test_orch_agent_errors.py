"""`ve orch run` with the real Claude Code CLI when it cannot work: the operator reads why
(issue 23 item 9). Needs no model: a CLI with no credentials answers "Not logged in" itself."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from orch_support import ve_cmd
from support.claude_cli import claude_env

from ve_hooks.orch.store import Store

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    """A local port nothing listens on, so a CLI that did try the network fails fast and locally."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_not_logged_in_says_so(orepo: Path, claude_bin: Path, tmp_path: Path) -> None:
    env = claude_env(claude_bin, f"http://127.0.0.1:{_closed_port()}", tmp_path / "home")
    env.pop("ANTHROPIC_API_KEY")  # no credentials at all: Claude Code is not logged in
    prompt = tmp_path / "prompt.md"
    prompt.write_text("Say hello.\n")
    r = subprocess.run(ve_cmd("run", "my_chunk", "--prompt-file", str(prompt), "--agent-cmd", str(claude_bin)),
                       cwd=orepo, env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "FAILED" in r.stdout
    assert "why: the agent reported an error: Not logged in · Please run /login" in r.stdout, r.stdout
    [run] = [e.data for e in Store(orepo).load(["my_chunk"]).unit("my_chunk").runs]
    assert run["reason"] == "the agent reported an error: Not logged in · Please run /login"
    assert json.dumps(run)  # recorded as an ordinary event
