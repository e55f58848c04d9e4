"""docs/orchestrator.md's walkthrough runs verbatim: its ``sh`` blocks are read from the doc.

The blocks run in order in one bash process (``set -e``: a command that fails unexpectedly
fails the test) in an empty folder, with ``ve`` and ``python`` from this environment and the real
``claude`` on PATH talking to a scripted local model. Doc and test cannot drift apart: change a
command in the doc and this test runs the new one.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from claude_support import QUESTION
from support.claude_cli import claude_env
from support.cli import module, path_with_scripts
from support.mock_anthropic import MockAnthropic

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parents[2] / "docs" / "orchestrator.md"


def walkthrough_blocks(doc: str) -> list[str]:
    """The ``sh`` code blocks of the '## Walkthrough' section, in order."""
    section = re.search(r"^## Walkthrough\n(.*?)(?=^## )", doc, flags=re.S | re.M)
    assert section, "docs/orchestrator.md has no '## Walkthrough' section"
    return re.findall(r"^```sh\n(.*?)^```", section.group(1), flags=re.S | re.M)


def test_the_doc_has_a_walkthrough_to_run() -> None:
    blocks = walkthrough_blocks(DOC.read_text(encoding="utf-8"))
    script = "\n".join(blocks)
    for command in ("ve orch run", "ve orch answer", "ve orch resume", "ve orch mcp-config", "ve orch take",
                    "ve_hooks.orch.example_agent"):
        assert command in script


def test_every_command_of_the_walkthrough_runs_verbatim(claude_bin: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    project = work / "my-project"
    goal = project / "docs" / "chunks" / "my_chunk" / "GOAL.md"
    script = {
        "docs/chunks/my_chunk/GOAL.md": [
            {"tool": "AskOperator", "input": {"question": QUESTION, "options": ["yes", "no"]}},
            {"tool": "Write", "input": {"file_path": str(goal), "content": "# Goal\n\nDone, alias kept.\n"}},
            {"text": "Implemented. Should I also update the callers? Any errors? None failed."},
        ],
        "split the chunk": [
            {"tool": "AskOperator", "input": {"question": "Split the chunk?", "options": ["yes", "no"]}},
            {"text": "I asked and stopped."},
        ],
    }
    with MockAnthropic(script) as mock:
        env = claude_env(claude_bin, mock.url, tmp_path / "home")
        env["PATH"] = path_with_scripts(env['PATH'])
        body = "\n".join(walkthrough_blocks(DOC.read_text(encoding="utf-8")))
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", body], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, f"stdout:\n{out}\nstderr:\n{proc.stderr}"
    assert "my_chunk: NEEDS_ATTENTION" in out and out.count("exit 1") == 3
    assert QUESTION in out  # shown by `ve orch attention`
    assert "my_chunk: DONE" in out and goal.read_text().endswith("alias kept.\n")
    assert "other_chunk: NEEDS_ATTENTION" in out and "other_chunk: DONE" in out
    assert re.search(r"^no$", out, flags=re.M)  # `ve orch take release`
    # The whole story is in the notes, shared with the team remote.
    log = subprocess.run(["git", "-C", str(work / "team.git"), "notes", "--ref", "ve/orch", "list"],
                         capture_output=True, text=True, check=True)
    assert log.stdout.strip()
    status = subprocess.run(module("ve_hooks.cli", "orch", "attention", "--format", "json"),
                            cwd=project, env=env, capture_output=True, text=True)
    assert status.returncode == 0 and json.loads(status.stdout) == []
