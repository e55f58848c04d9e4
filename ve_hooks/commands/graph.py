"""``ve graph``: draw the created_after DAG of one kind (mermaid for GitHub markdown, dot, json).

Edges point from an artifact to what it was created after; tips are highlighted and FUTURE
artifacts are dashed, so "what would a new chunk follow?" is visible at a glance.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from ve_hooks.created_after import graph as order
from ve_hooks.created_after.tips import kind_facts
from ve_hooks.documents.artifacts import KINDS
from ve_hooks.project import open_project
from ve_hooks.sanitize import echo


def _mermaid_label(text: str) -> str:
    """Text safe inside a quoted mermaid label: quotes and markup characters as entities."""
    return re.sub(r'["<>&#`|\[\]{}()\\]', lambda m: f"#{ord(m.group())};", text)


def _status_text(status: object) -> str:
    """How a node's status reads in a picture: a missing or unreadable status says so."""
    return status if isinstance(status, str) else "(no status)"


def render_mermaid(d: order.Dag) -> str:
    # Node ids are n0, n1...: names may hold characters mermaid reads as syntax.
    ids = {n: f"n{i}" for i, n in enumerate(d.nodes)}
    lines = ["```mermaid", "flowchart BT"]
    for n, status in d.nodes.items():
        lines.append(f'  {ids[n]}["{_mermaid_label(n)}<br/>{_mermaid_label(_status_text(status))}"]')
    for src, dst in d.edges:
        arrow = "-.->" if d.nodes.get(src) == "FUTURE" else "-->"
        lines.append(f"  {ids[src]} {arrow} {ids[dst]}")
    lines.append("  classDef tip fill:#d4f7d4,stroke:#2a7,stroke-width:3px")
    lines.append("  classDef future stroke-dasharray:5 5,color:#777")
    tips = [ids[t] for t in d.tips]
    future = [ids[n] for n, s in d.nodes.items() if s == "FUTURE"]
    if tips:
        lines.append(f"  class {','.join(tips)} tip")
    if future:
        lines.append(f"  class {','.join(future)} future")
    lines.append("```")
    return "\n".join(lines)


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(d: order.Dag, kind: str) -> str:
    tips = set(d.tips)
    lines = [f"digraph {_dot_str(kind)} {{", "  rankdir=BT;", "  node [shape=box];"]
    for n, status in d.nodes.items():
        attrs = ["label=" + _dot_str(f"{n}\n{_status_text(status)}")]
        if status == "FUTURE":
            attrs.append("style=dashed")
        if n in tips:
            attrs.append("penwidth=3")
            attrs.append('color="#22aa77"')
        lines.append(f"  {_dot_str(n)} [{', '.join(attrs)}];")
    for src, dst in d.edges:
        style = " [style=dashed]" if d.nodes.get(src) == "FUTURE" else ""
        lines.append(f"  {_dot_str(src)} -> {_dot_str(dst)}{style};")
    lines.append("}")
    return "\n".join(lines)


def render_json(d: order.Dag, kind: str, label: str) -> str:
    tips = set(d.tips)
    return json.dumps({
        "rev": label, "kind": kind,
        "nodes": [{"name": n, "status": s, "tip": n in tips} for n, s in d.nodes.items()],
        "edges": [[a, b] for a, b in d.edges],
        "tips": d.tips,
        "dangling": [[a, b] for a, b in d.dangling],
    })


@click.command("graph")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project directory (default: the nearest one above the working directory).")
@click.option("--rev", default=None, help="Read this commit instead of the worktree.")
@click.option("--kind", type=click.Choice(KINDS), default="chunk", show_default=True,
              help="Which artifacts to draw.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid",
              show_default=True, help="mermaid (for GitHub markdown), Graphviz dot, or json.")
def command(repo_dir: Path | None, rev: str | None, kind: str, fmt: str) -> int:
    """Draw the created_after DAG of KIND; tips are highlighted, FUTURE artifacts dashed."""
    from ve_hooks.commands import require_repository
    from ve_hooks.project import locate

    require_repository(locate(repo_dir), "ve graph", "draws the artifacts of a git snapshot")
    with open_project(repo_dir) as project:
        snap = project.snapshot(rev=rev)
        config = project.config
        d = order.dag(kind_facts(project.repo(snap), kind), lambda s: config.tip_eligible(kind, s), kind)
    if fmt == "mermaid":
        echo(render_mermaid(d))
    elif fmt == "dot":
        echo(render_dot(d, kind))
    else:
        click.echo(render_json(d, kind, snap.label))
    return 0
