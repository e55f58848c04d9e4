"""How a VE2xx finding is explained: a jsonschema error turned into a diagnostic that names the
field, the expected shape (in type words: "a list", "a string") and a fix.

The check itself (which schema, the fast path for valid documents, the rule declarations) is
:mod:`ve_hooks.rules.schema`; this module only walks and words the errors it hands over.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.documents import fixes
from ve_hooks.documents.parsed import Timestamp
from ve_hooks.documents.schema import (
    KIND_WORDS,
    fits,
    resolve_ref,
    validator,
)
from ve_hooks.rules.registry import RULES
from ve_hooks.sanitize import one_line

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from ve_hooks.documents.parsed import Doc, JsonPath


def leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Replace an anyOf/oneOf error by its most relevant branch error unless it has its own message."""
    if error.validator in ("anyOf", "oneOf") and error.context and not _custom_message(error):
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        if best is not None:
            yield from leaves(best)
            return
    yield error


def _custom_message(error: ValidationError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    messages = schema.get("x-ve-messages", {})
    return messages.get(error.validator) if isinstance(messages, dict) else None


class Checker:
    def __init__(self, kind: str, generation: str | None, doc: Doc, path: str,
                 schema: dict[str, Any]) -> None:
        self.kind = kind
        self.generation = generation
        self.doc = doc
        self.path = path
        self.schema = schema
        self.out: list[Diagnostic] = []
        self.suppressed: set[JsonPath] = set()  # subtrees already explained by VE206
        self.seen: set[tuple[str, JsonPath, str]] = set()
        self.typed: set[JsonPath] = set()  # paths with a type error: skip enum/pattern noise there
        self.schema_name = ""

    def quoting_fixes(self, e: ValidationError, text: str) -> bool:
        """Whether ``text`` as a string would satisfy the schema where the type was wrong."""
        if not self.schema_name:
            return True
        try:
            return bool(validator(self.schema_name).evolve(schema=e.schema).is_valid(text))
        except Exception:  # a subschema the validator cannot evaluate alone: keep the hint
            return True

    # -- output ------------------------------------------------------------------------------

    def emit(self, rule: str, at: JsonPath, message: str, hint: str = "", fix: fixes.Fix | None = None, *,
             pos: tuple[int, int] | None = None, **data: Any) -> None:
        key = (rule, at, message)
        if key in self.seen:
            return
        self.seen.add(key)
        line, col = pos or self.doc.position(at)
        self.out.append(Diagnostic(rule, RULES[rule].severity, self.path, line, col, message, hint,
                                   generation=self.generation, data=data, fix=fix))

    @property
    def what(self) -> str:
        """``a v3 chunk``, ``a narrative``, ``an external reference`` ..."""
        word = KIND_WORDS[self.kind]
        if self.generation:
            word = f"{self.generation} {word}"
        return ("an " if word[0] in "aeiou" else "a ") + word

    def rule_for(self, path: JsonPath, default: str) -> str:
        if self.kind == "external" or (path and path[0] == "dependents"):
            return "VE207"
        return default

    # -- VE206 -------------------------------------------------------------------------------

    def code_reference_shapes(self) -> None:
        """Items of ``code_references`` in the other generation's form (or no mapping at all)."""
        if self.kind not in ("chunk", "subsystem"):
            return
        refs = self.doc.data.get("code_references")
        if not isinstance(refs, list):
            return
        expected = "range" if self.generation == "v1" else "symbolic"
        forms = [_ref_form(r) for r in refs]
        mixed = "range" in forms and "symbolic" in forms
        owner = self.what
        for i, form in enumerate(forms):
            if form is None or form == expected:
                continue
            at: JsonPath = ("code_references", i)
            self.suppressed.add(at)
            label = _label(at)
            if form == "other":
                msg = f"{label} is {_type_word(refs[i])} ({_quote(refs[i])}), not a code reference mapping"
            elif form == "range":
                msg = f"{label} uses the v1 line-range form (file/ranges) in {owner}"
            else:
                msg = f"{label} uses the symbolic form (ref) in {owner}"
            if mixed:
                msg += "; code_references mixes line-range and symbolic forms"
            if expected == "symbolic":
                hint = ("write `- ref: path/to/file.py#Symbol::method` with `implements: ...`; "
                        "symbolic references survive edits, line numbers drift")
            else:
                hint = "write `- file: path` with `ranges: [{lines: \"45-120\", implements: ...}]`"
            self.emit(self.rule_for(at, "VE206"), at, msg, hint, form=form, expected=expected)

    # -- VE207 beyond the schema -------------------------------------------------------------

    def external_directory(self) -> None:
        """``artifact_id`` must name the directory holding the pointer: VE resolves by directory."""
        artifact_id = self.doc.data.get("artifact_id")
        parts = self.path.replace("\\", "/").split("/")
        if not isinstance(artifact_id, str) or len(parts) < 2 or parts[-1] != "external.yaml":
            return
        directory = parts[-2]
        if artifact_id != directory:
            self.emit("VE207", ("artifact_id",),
                      f"artifact_id {_quote(artifact_id)} differs from its directory {_quote(directory)}",
                      "rename the directory or fix artifact_id: the pointer is found by directory name",
                      directory=directory)

    # -- jsonschema errors -------------------------------------------------------------------

    def add_error(self, e: ValidationError) -> None:
        at: JsonPath = tuple(e.absolute_path)
        if any(at[: len(s)] == s for s in self.suppressed):
            return
        custom = _custom_message(e)
        if custom:
            self.emit(self.rule_for(at, "VE204"), at, f"{custom} ({_label(at)})" if at else custom)
            return
        if at == ("status",):
            self.bad_status(e)
            return
        handler = getattr(self, f"on_{e.validator}", None)
        if handler is not None:
            handler(e, at)
        else:
            self.emit(self.rule_for(at, "VE204"), at, f"{self.where(at)}: {one_line(e.message)}",
                      _description(e.schema))

    def where(self, at: JsonPath) -> str:
        return _label(at) if at else self.what

    def bad_status(self, e: ValidationError) -> None:
        if any(d.rule == "VE201" for d in self.out):
            return
        choices = self.status_choices()
        value = self.doc.data.get("status")
        hint = ""
        fix = None
        if isinstance(value, str):
            match = difflib.get_close_matches(value.strip().upper(), choices, n=1, cutoff=0.6)
            if match:
                hint = f"did you mean {match[0]!r}?"
                fix = fixes.set_value(("status",), value, match[0], "status")
        if not hint:
            hint = f"use one of {', '.join(choices)}"
        self.emit("VE201", ("status",),
                  f"invalid status {_quote(value)} for {self.what}; expected one of {', '.join(choices)}",
                  hint, fix=fix, value=value if isinstance(value, (str, int, float, bool)) else None)

    def status_choices(self) -> list[str]:
        status = self.schema.get("properties", {}).get("status", {})
        return [str(v) for v in status.get("enum", [])]

    def on_required(self, e: ValidationError, at: JsonPath) -> None:
        instance = e.instance if isinstance(e.instance, dict) else {}
        known = resolve_ref(self.schema, e.schema).get("properties", {})
        unknown = [k for k in instance if k not in known]
        for key in e.validator_value:
            if key in instance:
                continue
            place = ("" if self.kind == "external" else " to the frontmatter") if not at else f" to {_label(at)}"
            hint = f"add `{key}:`{place}"
            near = [k for k in difflib.get_close_matches(key, unknown, n=3, cutoff=0.75)
                    if fits(instance[k], resolve_ref(self.schema, known.get(key, {})))][:1]
            if near:
                hint = f"{near[0]!r} looks like a misspelling of {key!r}"
            else:
                desc = _description(known.get(key, {}))
                if desc:
                    hint += f" ({desc})"
            where = f"in {self.what}" if not at else f"in {_label(at)}"
            self.emit(self.rule_for(at, "VE202"), at, f"missing required field {key!r} {where}", hint,
                      field=key)

    def on_type(self, e: ValidationError, at: JsonPath) -> None:
        fix = None
        expected = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        want = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        got = _type_word(e.instance)
        shown = "" if e.instance is None or isinstance(e.instance, (list, dict)) else f" ({_quote(e.instance)})"
        label = _label(at) if at else "the frontmatter"
        scalar = e.instance.text if isinstance(e.instance, Timestamp) else _scalar(e.instance)
        if "string" in expected and isinstance(e.instance, (Timestamp, int, float)) \
                and self.quoting_fixes(e, scalar):
            read = f"YAML reads it as {got}; " if isinstance(e.instance, Timestamp) else ""
            hint = f"{read}quote the value: `\"{scalar}\"`"
            fix = fixes.quote(at, _label(at))
        elif "array" in expected:
            hint = "write a YAML list: `[]`, `[a, b]` or `- item` lines"
        elif "object" in expected:
            hint = "write a mapping: `key: value` lines"
        else:
            hint = _description(e.schema)
        if isinstance(e.instance, Timestamp) and at in self.doc.timestamps:
            # At the value itself, with what a quoting fix needs.
            self.emit(self.rule_for(at, "VE203"), at, f"{label} must be {want}, got {got}{shown}", hint,
                      fix=fix, pos=self.doc.timestamps[at], expected=expected, got=got, quote=e.instance.text)
            return
        self.emit(self.rule_for(at, "VE203"), at, f"{label} must be {want}, got {got}{shown}", hint,
                  fix=fix, expected=expected, got=got)

    def on_enum(self, e: ValidationError, at: JsonPath) -> None:
        if at in self.typed:
            return
        choices = [_scalar(v) for v in e.validator_value]
        hint = ""
        fix = None
        if isinstance(e.instance, str):
            strs = [v for v in e.validator_value if isinstance(v, str)]
            folded = {v.lower(): v for v in strs}
            near = difflib.get_close_matches(e.instance.strip().lower(), list(folded), n=1, cutoff=0.6)
            if near:
                hint = f"did you mean {folded[near[0]]!r}?"
                fix = fixes.set_value(at, e.instance, folded[near[0]], _label(at))
        self.emit(self.rule_for(at, "VE204"), at,
                  f"invalid {self.subject(at)[0]} {_quote(e.instance)} in {self.subject(at)[1]}; "
                  f"expected one of {', '.join(choices)}",
                  hint or _description(e.schema), fix=fix)

    def on_pattern(self, e: ValidationError, at: JsonPath) -> None:
        if at in self.typed or not isinstance(e.instance, str):
            return
        if not e.instance.strip():
            self.emit(self.rule_for(at, "VE204"), at, f"{_label(at)} is empty", _description(e.schema))
            return
        self.emit(self.rule_for(at, "VE204"), at,
                  f"invalid {self.subject(at)[0]} {_quote(e.instance)} in {self.subject(at)[1]}",
                  _description(e.schema))

    def on_minLength(self, e: ValidationError, at: JsonPath) -> None:  # noqa: N802 - jsonschema's name
        self.emit(self.rule_for(at, "VE204"), at, f"{_label(at)} is empty", _description(e.schema))

    def on_minimum(self, e: ValidationError, at: JsonPath) -> None:
        if at in self.typed:
            return
        self.emit(self.rule_for(at, "VE204"), at,
                  f"{_label(at)} is {_quote(e.instance)}; it must be at least {e.validator_value}",
                  _description(e.schema))

    def subject(self, at: JsonPath) -> tuple[str, str]:
        """(what is wrong, where): ``("relationship", "subsystems[0]")`` or ``("depends_on[1]", "a v3 chunk")``."""
        if at and isinstance(at[-1], str):
            return one_line(at[-1], 80), (_label(at[:-1]) if len(at) > 1 else self.what)
        return _label(at), self.what

    # -- VE205 -------------------------------------------------------------------------------

    def unknown_keys(self, node: dict[str, Any], data: Any, at: JsonPath) -> None:
        if at in self.suppressed:
            return
        node = resolve_ref(self.schema, node)
        if isinstance(data, dict) and "properties" in node:
            props: dict[str, Any] = node["properties"]
            for key, value in data.items():
                if key in props:
                    self.unknown_keys(props[key], value, (*at, key))
                    continue
                near = [k for k in difflib.get_close_matches(key, list(props), n=3, cutoff=0.75)
                        if fits(value, resolve_ref(self.schema, props[k]))][:1]
                if near:
                    hint = f"did you mean {near[0]!r}?"
                else:
                    hint = ("vibe-engineer ignores it: remove it, or move the information into the "
                            "document body" if not at else "vibe-engineer ignores it: remove it")
                where = self.what if not at else _label(at)
                self.emit("VE205", (*at, key), f"unknown field {one_line(key, 80)!r} in {where}", hint,
                          fix=fixes.rename_key((*at, key), near[0]) if near else None,
                          field=key, suggestion=near[0] if near else None)
        elif isinstance(data, list) and isinstance(node.get("items"), dict):
            for i, item in enumerate(data):
                self.unknown_keys(node["items"], item, (*at, i))


# ---------------------------------------------------------------------------------------------
# helpers

_TYPE_WORDS = {
    "array": "a list", "object": "a mapping", "string": "a string", "null": "null",
    "integer": "an integer", "number": "a number", "boolean": "true/false",
}


def _type_word(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, Timestamp):
        return value.word
    return type(value).__name__


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _quote(value: Any) -> str:
    """A value as quoted in a message: strings in single quotes, sanitised, one line."""
    if isinstance(value, str):
        return "'" + one_line(value, 80) + "'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return one_line(_scalar(value), 80)


def _label(at: Iterable[str | int]) -> str:
    """``code_references[2].ref`` for ``("code_references", 2, "ref")``."""
    out = ""
    for part in at:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + one_line(str(part), 80)
    return out


def _description(schema: Any) -> str:
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        return one_line(schema["description"], 200)
    return ""


def _ref_form(item: Any) -> str | None:
    """``"range"``, ``"symbolic"``, ``"other"`` (not a mapping) or None (neither: schema decides)."""
    if not isinstance(item, dict):
        return "other"
    if "ref" in item:
        return "symbolic"
    if "file" in item or "ranges" in item:
        return "range"
    return None
