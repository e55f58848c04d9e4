"""Fixtures of the orchestrator tests; the helpers live in orch_support (a unique module name)."""

from claude_support import claude_bin, world  # noqa: F401
from orch_support import orepo, ve  # noqa: F401
