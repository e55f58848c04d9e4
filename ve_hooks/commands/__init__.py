"""One module per ``ve`` subcommand: options in, result out, exit code back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ve_hooks.project import Location


def require_repository(loc: Location, command: str, why: str) -> None:
    """A command that reads git (tips, fill, graph) outside a repository is a usage error naming
    the problem: empty output would look like a clean answer. (A repository without artifacts yet
    is fine: its first chunk has no tips to follow.)"""
    from ve_hooks import git
    from ve_hooks.diagnostic import UsageError

    if loc.info is None and git.discover(loc.root) is None:
        raise UsageError(f"{loc.root} is not inside a git repository: `{command}` {why} "
                         "(run it in the project's repository, or pass --repo DIR)")
