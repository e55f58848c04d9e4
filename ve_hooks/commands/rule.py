"""``ve rule CODE``: print a rule's documentation page; ``ve rule --all``: list every rule.

The page is the same text as ``docs/rules/CODE.md`` and SARIF's ``help.markdown``, so what a
developer reads in the terminal is what CI links to.
"""

from __future__ import annotations

import click

from ve_hooks.diagnostic import EXIT_ERROR, EXIT_OK


@click.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule code with its name and summary.")
def command(code: str | None, show_all: bool) -> int:
    """Print the documentation page of rule CODE (e.g. VE401, or its name missing-reference).

    \b
    Examples:
      ve rule VE401        why a reference is reported missing, and what to do
      ve rule --all        every code, grouped by family
    """
    from ve_hooks.rules import registry
    from ve_hooks.rules.docs import render_markdown

    if show_all:
        if code:
            raise click.UsageError("give either CODE or --all, not both")
        for rules in registry.families().values():
            click.echo(rules[0].family_title)
            for r in rules:
                mark = "[*]" if r.fixable else "   "
                click.echo(f"  {r.code} {mark} {r.name:<32} {r.summary}")
        return EXIT_OK
    if not code:
        raise click.UsageError("missing rule CODE (or --all to list every rule)")
    info = registry.get(code)
    if info is None:
        prefixed = [c for c in registry.rules() if c.startswith(code.strip().upper())]
        if prefixed and code.strip().upper().startswith(registry.PREFIX):
            click.echo(f"error: {code!r} is a prefix, not a rule; it matches {', '.join(prefixed)}", err=True)
            return EXIT_ERROR
        click.echo(f"error: unknown rule {code!r}{registry.did_you_mean(code)}", err=True)
        return EXIT_ERROR
    click.echo(render_markdown(info), nl=False)
    return EXIT_OK
