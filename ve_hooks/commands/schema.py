"""``ve schema``: hand the bundled JSON Schemas to editors (yaml-language-server, VS Code, ...).

Printing reads the file as shipped, byte for byte: no jsonschema import, no re-serialisation,
so what an editor gets is exactly what the checker validates with.
"""

from __future__ import annotations

import click

from ve_hooks.documents import schema as schemas

_ABOUT = {
    "chunk": "docs/chunks/<name>/GOAL.md frontmatter",
    "narrative": "docs/narratives/<name>/OVERVIEW.md frontmatter",
    "investigation": "docs/investigations/<name>/OVERVIEW.md frontmatter",
    "subsystem": "docs/subsystems/<name>/OVERVIEW.md frontmatter",
    "external": "docs/<kind>/<name>/external.yaml",
    "friction": "docs/trunk/FRICTION.md frontmatter",
    "ve-config": ".ve-config.yaml",
    "ve-workspace": ".ve-workspace.yaml",
    "hook-fragment": "docs/hooks/<command>.md frontmatter",
    "skills-manifest": ".agents/skills/.ve-local-skills.json",
    "skill": ".agents/skills/<name>/SKILL.md frontmatter",
    "reviewer-decision": "docs/reviewers/<reviewer>/decisions/<chunk>_<n>.md frontmatter",
    "deletion-grant": "one grant of docs/trunk/DELETIONS.md",
    "task-config": ".ve-task.yaml of a task directory",
    "reviewer-metadata": "docs/reviewers/<reviewer>/METADATA.yaml",
}

_GENERATION = click.option(
    "--generation", type=click.Choice(schemas.GENERATIONS),
    help=f"Chunk template generation (default {schemas.LATEST_GENERATION}); chunks only.",
)


def _resolve(kind: str, generation: str | None) -> str:
    try:
        return str(schemas.schema_file(kind, generation))
    except ValueError as e:
        raise click.UsageError(str(e)) from None


@click.group(name="schema")
def group() -> None:
    """Export the bundled JSON Schemas for editors.

    \b
    Examples:
      ve schema export                     list the kinds
      ve schema export chunk > chunk.json  the latest chunk schema (v3)
      ve schema path chunk --generation v1
    """


@group.command("export")
@click.argument("kind", required=False)
@_GENERATION
@click.option("--for", "variant", type=click.Choice(["yaml-language-server", "remark", "draft-07"]),
              help="Print a variant that tool loads: draft-07, no custom keywords (strict Ajv), examples and "
                   "default on every field, markdownDescription for yaml-language-server, and an $id that "
                   "resolves to the committed copy under schemas/editors/. Default: the bundled 2020-12 schema.")
def export(kind: str | None, generation: str | None, variant: str | None) -> int:
    """Print the JSON Schema of KIND (no KIND: list the kinds).

    \b
    Examples:
      ve schema export chunk                              the bundled draft 2020-12 schema
      ve schema export chunk --for yaml-language-server   for yaml-language-server / VS Code
      ve schema export narrative --for draft-07           for Ajv and other draft-07 tools
    """
    if kind is None:
        if generation is not None:
            raise click.UsageError("--generation needs KIND (chunk)")
        for name in (*schemas.KINDS, *schemas.PROJECT_SCHEMAS):
            extra = f" (--generation {'|'.join(schemas.GENERATIONS)})" if name == "chunk" else ""
            click.echo(f"{name:<19}{_ABOUT[name]}{extra}")
        return 0
    path = _resolve(kind, generation)
    if variant is not None:
        from ve_hooks.documents import schema_export

        click.echo(schema_export.render(kind, generation, variant), nl=False)
        return 0
    with open(path, encoding="utf-8") as f:
        click.echo(f.read(), nl=False)
    return 0


@group.command("path")
@click.argument("kind")
@_GENERATION
def path(kind: str, generation: str | None) -> int:
    """Print the file path of the JSON Schema of KIND (for editor settings)."""
    click.echo(_resolve(kind, generation))
    return 0
