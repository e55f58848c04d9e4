"""Fixtures of the orchestrator tests; the helpers live in orch_support (a unique module name)."""

from agent_clis import agent_world, codex_bin, gemini_bin  # noqa: F401
from claude_support import claude_bin, world  # noqa: F401
from orch_support import orepo, ve  # noqa: F401
