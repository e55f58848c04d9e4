"""``ve orch``: AskOperator questions and operator answers, recorded as git notes.

The group and its shared helpers are in :mod:`.group`; importing this package registers every
command on it (questions and answers, agent runs, setup).
"""

from ve_hooks.orch.cli import agents, questions, setup  # noqa: F401  (registers the commands)
from ve_hooks.orch.cli.group import orch

__all__ = ["orch"]
