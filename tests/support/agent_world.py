"""What every real-agent test world shares: the prompt file it hands the agent and the orchestrator
events recorded in the repository's notes, read with plain git (never through ve_hooks)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


class RecordedRun:
    """A mixin for a test world with a ``repo`` (the project's git repository)."""

    repo: Path

    def prompt(self, text: str = "Implement docs/chunks/my_chunk/GOAL.md. Ask me with AskOperator.\n") -> str:
        path = self.repo / ".git" / "prompt.md"
        path.write_text(text)
        return str(path)

    def events(self, unit: str) -> list[dict[str, Any]]:
        anchor = subprocess.run(["git", "-C", str(self.repo), "rev-parse", f"refs/notes/ve/orch:ve-orch-units/{unit}"],
                                capture_output=True, text=True, check=True).stdout.strip()
        note = subprocess.run(["git", "-C", str(self.repo), "notes", "--ref", "ve/orch", "show", anchor],
                              capture_output=True, text=True, check=True).stdout
        return [json.loads(line) for line in note.splitlines() if line.strip()]

    def of_type(self, unit: str, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.events(unit) if e["type"] == type_]
