"""Frontmatter documents that put every YAML type, in its many spellings, into every field.

Shared by the differential test against vibe-engineer's own models and the property tests.
Pure data, no pytest. A *slot* is where a value goes: a top-level field, or a field of the
first item of a list of records (``code_references[0].ref``). Each document is the kind's
valid base with one slot's value replaced by one spelling, written as YAML text so that the
YAML resolver (not this generator) decides the type, as it does for a person's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# Plain (unquoted) spellings, grouped by the type PyYAML's YAML 1.1 resolver gives them.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "null": ("null", "~", "Null", "NULL", ""),
    "bool": ("true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
             "on", "On", "ON", "off", "Off", "OFF"),
    "int": ("0", "7", "-3", "+5", "0x1F", "0o17", "017", "0b101", "1_000", "1:20"),
    "float": ("3.5", "-0.5", "1.0e3", ".inf", "-.Inf", ".NaN", "1:20.5"),
    "date": ("2024-01-01", "1999-12-31"),
    "datetime": ("2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00"),
    "str": ("plain", "a_name", "F001", "y", "n", "1e3", "src/app.py#main", "'2024-01-01'", '"yes"',
            '"7"', "'null'", "implements", "''"),
    "list": ("[]", "[a, b]", "[alpha]", "[1, 2]", "[2024-01-01]", "[null]", "[yes]", "[[a]]", "[{a: 1}]",
             "['2024-01-01']"),
    "mapping": ("{}", "{a: 1}", "{ref: src/app.py, implements: x}", "{prompt: do it}"),
}

ALL_SPELLINGS: tuple[str, ...] = tuple(s for group in SPELLINGS.values() for s in group)

# Valid documents per kind (vibe-engineer's current shapes), as YAML lines.
BASE: dict[str, dict[str, str]] = {
    "chunk": {
        "status": "FUTURE",
        "ticket": "null",
        "parent_chunk": "null",
        "code_paths": "[]",
        "code_references": "[]",
        "narrative": "null",
        "investigation": "null",
        "subsystems": "[]",
        "friction_entries": "[]",
        "bug_type": "null",
        "depends_on": "[]",
        "created_after": "[]",
    },
    "narrative": {"status": "DRAFTING", "advances_trunk_goal": "null", "proposed_chunks": "[]",
                  "created_after": "[]"},
    "investigation": {"status": "ONGOING", "trigger": "null", "proposed_chunks": "[]", "created_after": "[]"},
    "subsystem": {"status": "DISCOVERING", "chunks": "[]", "code_references": "[]", "created_after": "[]"},
}

# A valid first item for each list of records, so one field of it can be varied at a time.
RECORDS: dict[str, dict[str, str]] = {
    "code_references": {"ref": "src/app.py#main", "implements": "the entry point"},
    "subsystems": {"subsystem_id": "validation", "relationship": "implements"},
    "friction_entries": {"entry_id": "F001", "scope": "full"},
    "proposed_chunks": {"prompt": "Do the thing", "chunk_directory": "null", "depends_on": "[]"},
    "chunks": {"chunk_id": "alpha", "relationship": "implements"},
}
LISTS_OF_STRINGS = ("code_paths", "created_after", "depends_on")
UNKNOWN_FIELD = "colour"


@dataclass(frozen=True)
class Case:
    kind: str
    slot: str  # "ticket", "created_after[0]", "code_references[0].ref"
    spelling: str

    @property
    def text(self) -> str:
        return document(self.kind, self.slot, self.spelling)


def slots(kind: str) -> list[str]:
    """Every place a value can go in a document of ``kind``."""
    out = [*BASE[kind], UNKNOWN_FIELD]
    for key in BASE[kind]:
        if key in LISTS_OF_STRINGS:
            out.append(f"{key}[0]")
        if key in RECORDS:
            out.extend(f"{key}[0].{field}" for field in RECORDS[key])
    return out


def document(kind: str, slot: str, spelling: str) -> str:
    """A whole artifact file: the base of ``kind`` with ``slot`` set to ``spelling``."""
    key, _, rest = slot.partition("[0]")
    lines = []
    fields = dict(BASE[kind])
    if key not in fields:
        fields[key] = ""
    for k, v in fields.items():
        if k != key:
            lines.append(f"{k}: {v}")
        elif not rest and slot == key:
            lines.append(f"{k}: {spelling}".rstrip())
        elif not rest:  # key[0]: a one-item list of strings
            lines.append(f"{k}:\n  - {spelling}".rstrip())
        else:
            record = dict(RECORDS[k])
            record[rest.lstrip(".")] = spelling
            items = [f"{f}: {v}".rstrip() for f, v in record.items()]
            lines.append(f"{k}:\n  - " + "\n    ".join(items))
    return "---\n" + "\n".join(lines) + "\n---\n\n# Title\n\nBody.\n"


def cases(kinds: tuple[str, ...] = tuple(BASE)) -> Iterator[Case]:
    for kind in kinds:
        for slot in slots(kind):
            for spelling in ALL_SPELLINGS:
                yield Case(kind, slot, spelling)
