"""One module per ``ve`` subcommand: options in, result out, exit code back; ``LAZY_COMMANDS``
names them for the command line without importing them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ve_hooks.project import Location

# name -> "module:attribute" of a click command or group. The one list: `ve --help`, the lazy group in
# ve_hooks.cli and the dispatch beside vibe-engineer (ve_hooks.vibe_engineer) all read it; a new
# command is a module here and one line below.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("ve_hooks.commands.validate:command", "Validate artifacts (same as ve-validate)."),
    "tips": ("ve_hooks.commands.tips:command", "Print the created_after tips of a kind at a revision."),
    "created-after": ("ve_hooks.commands.created_after:group", "Fill or audit created_after from git history."),
    "graph": ("ve_hooks.commands.graph:command", "Draw the created_after DAG (mermaid, dot, json)."),
    "schema": ("ve_hooks.commands.schema:group", "Export the bundled JSON Schemas for editors."),
    "rule": ("ve_hooks.commands.rule:command", "Print the documentation page of a rule."),
    "orch": ("ve_hooks.orch.cli:orch", "Orchestrator: AskOperator questions and answers as git notes."),
    "lsp": ("ve_hooks.commands.lsp:command", "Language server for editors, over stdio (needs the [lsp] extra)."),
    "doctor": ("ve_hooks.commands.doctor:command", "Check that one `ve` serves vibe-engineer and ve-hooks."),
}


def require_repository(loc: Location, command: str, why: str) -> None:
    """A command that reads git (tips, fill, graph) outside a repository is a usage error naming
    the problem: empty output would look like a clean answer. (A repository without artifacts yet
    is fine: its first chunk has no tips to follow.)"""
    from ve_hooks import git
    from ve_hooks.diagnostic import UsageError

    if loc.info is None and git.discover(loc.root) is None:
        raise UsageError(f"{loc.root} is not inside a git repository: `{command}` {why} "
                         "(run it in the project's repository, or pass --repo DIR)")
