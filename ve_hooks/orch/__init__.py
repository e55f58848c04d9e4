"""Orchestrator: AskOperator questions and answers recorded as git notes.

``seed_questions(repo, n)`` (for benchmarks) is importable from here; the package import itself
stays cheap (no MCP SDK, no click) so ``ve orch attention`` starts fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["seed_questions"]


def __getattr__(name: str) -> Any:
    if name == "seed_questions":
        from ve_hooks.orch.store import seed_questions

        return seed_questions
    raise AttributeError(name)
