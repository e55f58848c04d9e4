"""The three chunk template generations: rendered they validate clean, unrendered they are VE301.

Also the VE301/VE302 rules themselves on hand-written documents (code spans, fences, CRLF...).
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.documents import schema
from ve_hooks.documents.frontmatter import Doc, parse
from ve_hooks.rules import schema as schema_rules
from ve_hooks.rules import template
from ve_hooks.rules.registry import RULES

# Our own fixtures in the shape of the three real generations (see data/templates/README.md).
TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"
REL = "docs/chunks/ask_operator_tool/GOAL.md"


def validate(tmp_path: Path, text: str, rel: str = REL) -> tuple[Doc | None, list[Diagnostic]]:
    """What the validator does with a chunk file: template rules on the text, schema on the doc."""
    f = tmp_path / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(text.encode("utf-8"))
    raw = f.read_bytes()
    result = parse(raw)
    doc = result if isinstance(result, Doc) else None
    diags = template.check_text(rel, raw.decode("utf-8"), doc, "chunk")
    if doc is not None:
        diags += schema_rules.check_document("chunk", doc, rel)
        diags += [Diagnostic(p.rule, RULES[p.rule].severity, rel, p.line, p.column, p.message)
                  for p in doc.problems]
    elif not template.masks_parse_error(diags):
        p = result.problem  # type: ignore[union-attr]
        diags.append(Diagnostic(p.rule, RULES[p.rule].severity, rel, p.line, p.column, p.message))
    return doc, diags


def render(generation: str, **values: object) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string((TEMPLATES / f"GOAL.{generation}.md").read_text(encoding="utf-8")).render(**values)


def jinja_positions(text: str) -> list[tuple[int, int]]:
    return [(n, m.start() + 1) for n, line in enumerate(text.splitlines(), 1)
            for m in re.finditer(r"\{\{|\{%|\{#", line)]


# -- rendered templates -----------------------------------------------------------------------

@pytest.mark.parametrize("generation, values, expected_gen, status", [
    ("v1", {"ticket_id": "VE-142"}, "v1", "IMPLEMENTING"),
    ("v2", {"ticket_id": "VE-142"}, "v2", "IMPLEMENTING"),
    ("v2", {"ticket_id": "VE-142", "status": "FUTURE"}, "v2", "FUTURE"),
    ("v3", {}, "v3", "FUTURE"),
])
def test_rendered_templates_validate_clean(tmp_path: Path, generation: str, values: dict,
                                           expected_gen: str, status: str) -> None:
    text = render(generation, **values)
    doc, diags = validate(tmp_path, text)
    assert diags == []
    assert doc is not None
    assert schema.generation_of(doc.data) == expected_gen
    assert doc.data["status"] == status
    if "ticket_id" in values:
        assert doc.data["ticket"] == "VE-142"


@pytest.mark.parametrize("generation, refs", [
    ("v1", "code_references:\n  - file: src/segment/writer.rs\n    ranges:\n"
           "      - lines: 45-120\n        implements: \"SegmentWriter struct and core write loop\"\n"),
    ("v2", "code_references:\n  - ref: src/segment/writer.rs#SegmentWriter::fsync\n"
           "    implements: \"Durability guarantees\"\n"),
    ("v3", "code_references:\n  - ref: src/utils.py#validate_input\n    implements: \"Input validation logic\"\n"),
])
def test_completed_chunks_validate_clean(tmp_path: Path, generation: str, refs: str) -> None:
    """A chunk after implementation: ACTIVE, references filled in the generation's own form."""
    text = render(generation, ticket_id="VE-7", status="ACTIVE")
    text = text.replace("status: FUTURE", "status: ACTIVE").replace("code_references: []\n", refs)
    doc, diags = validate(tmp_path, text)
    assert diags == []
    assert doc is not None and schema.generation_of(doc.data) == generation


# -- unrendered templates ---------------------------------------------------------------------

@pytest.mark.parametrize("generation", ["v1", "v2"])
def test_unrendered_templates_fail_with_exactly_ve301(tmp_path: Path, generation: str) -> None:
    text = (TEMPLATES / f"GOAL.{generation}.md").read_text(encoding="utf-8")
    expected = jinja_positions(text)
    assert expected, "the template has jinja placeholders"
    doc, diags = validate(tmp_path, text)
    assert doc is None  # `ticket: {{ ticket_id }}` is not even YAML a loader accepts
    assert {d.rule for d in diags} == {"VE301"}
    assert [(d.line, d.column) for d in diags] == expected
    assert all(d.data["in_frontmatter"] for d in diags)
    assert "{{ ticket_id }}" in diags[-1].message


def test_v3_template_as_is_is_a_clean_future_chunk(tmp_path: Path) -> None:
    text = (TEMPLATES / "GOAL.v3.md").read_text(encoding="utf-8")
    assert jinja_positions(text) == []
    doc, diags = validate(tmp_path, text)
    assert diags == []
    assert doc is not None and doc.data["status"] == "FUTURE" and schema.generation_of(doc.data) == "v3"


# -- VE302 ------------------------------------------------------------------------------------

def _strip_schema_comment(text: str) -> str:
    head, _, rest = text.partition("<!--")
    _, _, tail = rest.partition("-->")
    return head + tail


@pytest.mark.parametrize("generation, status", [("v2", "IMPLEMENTING"), ("v2", "FUTURE"), ("v3", "FUTURE")])
def test_ve302_schema_comment_removed(tmp_path: Path, generation: str, status: str) -> None:
    text = _strip_schema_comment(render(generation, ticket_id="VE-1", status=status))
    doc, diags = validate(tmp_path, text)
    assert [d.rule for d in diags] == ["VE302"]
    assert doc is not None and diags[0].line == doc.body_line and diags[0].column == 1
    assert diags[0].generation == generation


@pytest.mark.parametrize("generation, status", [("v1", "IMPLEMENTING"), ("v2", "ACTIVE"), ("v3", "HISTORICAL")])
def test_ve302_not_required(tmp_path: Path, generation: str, status: str) -> None:
    text = render(generation, ticket_id="VE-1", status=status).replace("status: FUTURE", f"status: {status}")
    _, diags = validate(tmp_path, _strip_schema_comment(text))
    assert diags == []


# -- VE301 details ----------------------------------------------------------------------------

FM = "---\nstatus: ACTIVE\nticket: null\n---\n"


def ve301(text: str, kind: str = "chunk") -> list[tuple[int, int]]:
    result = parse(text.encode())
    doc = result if isinstance(result, Doc) else None
    return [(d.line, d.column) for d in template.check_text("x.md", text, doc, kind) if d.rule == "VE301"]


def test_ve301_body_position() -> None:
    assert ve301(FM + "# Goal\n\nShip it for {{ customer }} by Friday.\n") == [(7, 13)]
    assert ve301(FM + "{% if x %}\nA\n{% endif %}\n{# note #}\n") == [(5, 1), (7, 1), (8, 1)]


def test_ve301_code_spans_and_fences_are_exempt() -> None:
    body = (
        "Use `{{ ticket_id | default('null', true) }}` in the template.\n"
        "A span over lines: `{% if\ntask_context %}` is fine.\n\n"
        "```jinja\n{% include \"partials/x.md\" %}\n{{ name }}\n```\n\n"
        "~~~~\n{# Chunk: docs/chunks/x #}\n~~~~\n\n"
        "A GitHub expression ${{ secrets.TOKEN }} and a heading anchor {#custom-id}.\n"
        "``double `{{ x }}` ticks``\n"
    )
    assert ve301(FM + body) == []


def test_ve301_unmatched_backtick_does_not_hide() -> None:
    assert ve301(FM + "A lone ` tick then {{ leftover }}\n") == [(5, 20)]


def test_ve301_unclosed_fence_runs_to_end() -> None:
    assert ve301(FM + "```\n{{ x }}\n") == []


def test_ve301_frontmatter_prose_vs_leftover() -> None:
    text = ("---\nstatus: ACTIVE\nproposed_chunks:\n  - prompt: the {% if task_context %} blocks must go\n"
            "    chunk_directory: null\n---\n")
    assert ve301(text, "narrative") == []
    text = "---\nstatus: ACTIVE\n{% if narrative %}\nnarrative: x\n{% endif %}\nticket: '{{ id }}'\n---\n"
    assert ve301(text) == [(3, 1), (5, 1), (6, 10)]


def test_ve301_crlf_and_bom() -> None:
    text = "\ufeff---\r\nstatus: ACTIVE\r\n---\r\n\r\nSee {{ x }}\r\n"
    assert ve301(text) == [(5, 5)]


def test_ve301_external_yaml() -> None:
    text = "artifact_id: x\nartifact_type: chunk\nrepo: '{{ repo }}'\n"
    assert ve301(text, "external") == [(3, 8)]


def test_ve301_in_code_span_inside_frontmatter_value() -> None:
    text = "---\nstatus: ACTIVE\ntrigger: 'render `{{ x }}` properly'\n---\n"
    assert ve301(text, "investigation") == []
