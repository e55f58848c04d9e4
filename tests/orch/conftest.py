"""Fixtures of the orchestrator tests; the helpers live in orch_support (a unique module name)."""

from orch_support import orepo, ve  # noqa: F401
