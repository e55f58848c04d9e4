"""The ``ve orch`` click group and what its commands share: the store, the error guard, unit
checking. The commands live beside it, one module per group: questions, agents, setup.

Exit codes: 0 ok, 1 needs attention / nothing to do / agent failed, 2 usage or internal error.
Everything an agent wrote is passed through :mod:`ve_hooks.sanitize` before it is printed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ve_hooks.orch import model, notes
from ve_hooks.orch.store import DEFAULT_REF, OrchError, Store
from ve_hooks.sanitize import clean, one_line

F = TypeVar("F", bound=Callable[..., Any])


def domain_errors(fn: F) -> F:
    """Turn our domain errors into one-line click errors (exit 2, no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (OrchError, notes.NotesError, model.InvalidUnit) as e:
            raise click.ClickException(one_line(str(e), 500)) from None
        except notes.GitError as e:
            raise click.ClickException(one_line(f"{e} ({e.stderr.strip()[-300:]})", 500)) from None

    return wrapper  # type: ignore[return-value]


def store_of(ctx: click.Context) -> Store:
    """The notes store of the repository and ref the group was given."""
    return Store(ctx.obj["repo"], ctx.obj["ref"])


def print_warnings(warnings: list[str]) -> None:
    """Malformed note lines the store skipped, one line each on stderr."""
    for w in warnings:
        click.echo(f"warning: {one_line(w, 300)}", err=True)


def checked_unit(value: str) -> str:
    """A click callback: the unit name, or a usage error saying why it is not one."""
    try:
        return model.validate_unit(value)
    except model.InvalidUnit as e:
        raise click.UsageError(str(e)) from None


def indented(text: str, prefix: str = "    ") -> str:
    """Text from a note, cleaned for the terminal and indented under its heading."""
    return "\n".join(prefix + line for line in clean(text).splitlines() or [""])


@click.group("orch")
@click.option("--repo", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Repository (any directory inside it; worktrees share the notes).")
@click.option("--ref", default=DEFAULT_REF, show_default=True, envvar="VE_ORCH_REF",
              help="Notes ref holding the questions and answers.")
@click.pass_context
def orch(ctx: click.Context, repo: str, ref: str) -> None:
    """AskOperator questions and answers, recorded as git notes.

    \b
    A unit needs attention only when its agent called the AskOperator tool.
      ve orch attention              open questions (exit 1 if any)
      ve orch answer UNIT --text T   answer the unit's open question
      ve orch resume UNIT            deliver the answer to the agent session
      ve orch init                   AskOperator for vibe-engineer's daemon
    """
    ctx.obj = {"repo": repo, "ref": ref}
