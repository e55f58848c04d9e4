"""Values are typed as the consumer types them: PyYAML makes `2024-01-01` a date, which a string
field of vibe-engineer's models rejects. The diagnostic sits on the value, says how YAML read it
and, where quoting makes it valid, says to quote it (data.quote carries the text for a fixer)."""

from __future__ import annotations

import pytest

from ve_hooks.documents import frontmatter
from ve_hooks.rules.schema import check_document

BASE = "---\nstatus: FUTURE\nticket: {ticket}\ncode_paths: []\ncode_references: []\ncreated_after: [{ca}]\n---\n"


def _check(ticket: str = "null", ca: str = "") -> list:
    doc = frontmatter.parse(BASE.format(ticket=ticket, ca=ca).encode())
    assert isinstance(doc, frontmatter.Doc)
    return [d for d in check_document("chunk", doc, "docs/chunks/x/GOAL.md") if d.rule == "VE203"]


@pytest.mark.parametrize(("value", "word"), [("2024-01-01", "a date"), ("2024-01-01T10:00:00Z", "a date and time"),
                                             ("2024-01-01 10:00:00", "a date and time")])
def test_a_date_in_a_string_field_is_wrong_type_with_a_quote_hint(value: str, word: str) -> None:
    [d] = _check(ticket=value)
    assert (d.line, d.column) == (3, 9)  # the value, where the quotes go
    assert d.message == f"ticket must be a string or null, got {word} ({value})"
    assert d.hint == f'YAML reads it as {word}; quote the value: `"{value}"`'
    assert d.data["quote"] == value


def test_a_date_in_a_list_of_names_and_quoted_dates_pass() -> None:
    [d] = _check(ca="2024-01-01")
    assert (d.line, d.column, d.data["quote"]) == (6, 17, "2024-01-01")
    assert _check(ticket="'2024-01-01'", ca='"2024-01-01"') == []


def test_data_keeps_the_text_and_the_cache_keeps_the_dates() -> None:
    doc = frontmatter.parse(BASE.format(ticket="2024-01-01", ca="").encode())
    assert isinstance(doc, frontmatter.Doc) and doc.data["ticket"] == "2024-01-01"
    again = frontmatter.Doc.from_json(doc.to_json(body=False))
    assert again.timestamps == doc.timestamps == {("ticket",): (3, 9)}


def test_quote_hint_only_where_quoting_fixes_it() -> None:
    doc = frontmatter.parse(b"---\nstatus: FUTURE\ncode_paths: []\ncode_references: []\ncreated_after: []\n"
                            b"subsystems:\n  - subsystem_id: 7\n    relationship: implements\n---\n")
    assert isinstance(doc, frontmatter.Doc)
    [d] = [d for d in check_document("chunk", doc, "docs/chunks/x/GOAL.md") if d.rule == "VE203"]
    assert "quote" not in d.hint  # "7" is no subsystem name either
    [t] = _check(ticket="7")
    assert t.hint == 'quote the value: `"7"`'
