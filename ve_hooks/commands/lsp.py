"""``ve-hooks lsp``: start the language server on stdin/stdout (for an editor to launch)."""

from __future__ import annotations

import click


@click.command("lsp", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stdio", is_flag=True, help="Talk LSP over stdin/stdout (the default and only transport; "
              "accepted because many editors pass it).")
def command(stdio: bool) -> int:
    """Run the vibe-engineer language server over stdio.

    Editors start this themselves: point your editor's LSP client at `ve-hooks lsp` for
    markdown files under docs/ (see docs/editors.md). It reports ve-validate's findings as
    you type, explains keys and artifact names on hover, completes keys, statuses, artifact
    names and code references, jumps to definitions and offers the safe fixes.

    \b
    Needs the [lsp] extra:  pip install 've-hooks[lsp]'
    """
    try:
        from ve_hooks.lsp.server import main
    except ImportError as e:
        raise click.UsageError(f"the language server needs the [lsp] extra (pygls, lsprotocol): "
                               f"pip install 've-hooks[lsp]' ({e.name or e} is missing)") from None
    return main()
