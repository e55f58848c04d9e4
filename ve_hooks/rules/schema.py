"""VE2xx, the schema family: frontmatter checked against its JSON Schema, every error explained.

Which schema a document follows, and the compiled validators, live in
:mod:`ve_hooks.documents.schema`; this module runs the check, and
:mod:`ve_hooks.rules.schema_errors` turns validation errors into diagnostics that name the
field, the expected shape and a fix. A valid document is answered by jsonschema-rs;
only an invalid one pays for jsonschema's full error walk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.schema import (
    KINDS,
    SCHEMA_FOR,
    fast_validator,
    generation_of,
    load_schema,
    validator,
)
from ve_hooks.rules.registry import Rule
from ve_hooks.rules.schema_errors import Checker, leaves

if TYPE_CHECKING:
    from ve_hooks.documents.frontmatter import Doc
    from ve_hooks.repo import Repo
    from ve_hooks.rules import Target

VE201 = Rule("VE201", "invalid-status", Severity.ERROR,
             'Status is not one of the values defined for this artifact kind', fix_command="ve-validate --fix")
VE202 = Rule("VE202", "missing-required-field", Severity.ERROR,
             "A field required by the artifact's schema is absent")
VE203 = Rule("VE203", "wrong-type", Severity.ERROR,
             'A field has the wrong YAML type', fix_command="ve-validate --fix")
VE204 = Rule("VE204", "invalid-value", Severity.ERROR,
             'A field value is outside its enum or does not match its pattern', fix_command="ve-validate --fix")
VE205 = Rule("VE205", "unknown-field", Severity.WARNING,
             'Frontmatter contains a field the schema does not define', fix_command="ve-validate --fix")
VE206 = Rule("VE206", "invalid-code-reference-shape", Severity.ERROR,
             'A code reference uses the format of another template generation')
VE207 = Rule("VE207", "invalid-external-reference", Severity.ERROR,
             'An `external.yaml` pointer is malformed')


def check_file(target: Target, repo: Repo, found: list[Diagnostic]) -> list[Diagnostic]:
    """The schema findings of one parsed file (a pure function of its bytes and kind)."""
    doc = target.doc
    return found if doc is None else [*found, *check_document(target.art.schema_kind, doc, target.path)]


def check_document(kind: str, doc: Doc, path: str) -> list[Diagnostic]:
    """Every schema finding for ``doc`` (an artifact of ``kind`` at repo-relative ``path``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    generation = generation_of(doc.data) if kind == "chunk" else None
    name = SCHEMA_FOR[(kind, generation)]
    c = Checker(kind, generation, doc, path, load_schema(name))
    c.schema_name = name
    c.code_reference_shapes()
    fast = fast_validator(name)
    # Dates are checked as the consumer types them (PyYAML makes `2024-01-01` a date, which a
    # string field rejects); the fast validator takes JSON values only, so it sees the text.
    typed = doc.typed()
    if fast is not None and typed is doc.data and _is_valid(fast, doc.data):
        errors = []
    else:
        errors = [leaf for error in validator(name).iter_errors(typed) for leaf in leaves(error)]
    c.typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    for error in errors:
        c.add_error(error)
    c.unknown_keys(c.schema, doc.data, ())
    if kind == "external":
        c.external_directory()
    return sorted(c.out, key=lambda d: (d.line, d.column, d.rule, d.message))


def _is_valid(fast: Any, data: Any) -> bool:
    try:
        return bool(fast.is_valid(data))
    except Exception:  # e.g. a value it cannot convert: let the full validator decide
        return False


def added_errors(kind: str, path: str, before: bytes, after: bytes) -> list[str]:
    """The schema rule codes ``after`` adds when it has more findings of some severity than
    ``before`` (one file, two versions), else []: how a fixer checks that it never adds a finding.
    Writing created_after into a v1 chunk, for one, makes it a v3 chunk whose line-range
    code_references are VE206 errors."""
    from collections import Counter

    from ve_hooks.documents import frontmatter

    old, new = frontmatter.parse(before), frontmatter.parse(after)
    if not isinstance(old, frontmatter.Doc) or not isinstance(new, frontmatter.Doc):
        return []
    was, now = check_document(kind, old, path), check_document(kind, new, path)
    had, has = Counter(d.severity for d in was), Counter(d.severity for d in now)
    if all(has[sev] <= had[sev] for sev in has):  # no severity gains a finding
        return []
    return sorted({d.rule for d in now} - {d.rule for d in was}) or sorted({d.rule for d in now})
