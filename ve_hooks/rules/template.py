"""VE3xx, the template family: leftovers of an unrendered Jinja template (VE301), a deleted schema
comment (VE302) and a PLAN.md still the untouched template of a chunk under way (VE303).

VE301 scans the raw text, so it also works when the leftovers made the frontmatter unparsable
(``ticket: {{ ticket_id }}`` is a YAML flow mapping used as a key: a VE104). Where jinja
syntax is *shown* rather than left over, it is not reported:

* in the body, inside inline code spans (`` `{{ x }}` ``, also spanning lines of one
  paragraph) and fenced code blocks (```` ``` ```` / ``~~~``);
* anywhere, ``${{ ... }}`` (GitHub Actions expressions, not jinja);
* in the frontmatter (or a pure YAML file), inside backtick spans, and ``{% ... %}`` /
  ``{# ... #}`` that do not start a line or a value: a prompt that says "the {% if %} blocks
  must go" is prose, while a leftover statement sits where the template put it, at the start
  of a line or of a value. ``{{ ... }}`` is reported anywhere outside backticks.

VE302 reports a v2/v3 chunk in FUTURE or IMPLEMENTING whose "DO NOT DELETE THIS COMMENT"
block is gone: agents rely on it while the chunk is being written. The v1 template had no
such block, so v1 chunks are exempt.

VE301 scans with its own patterns, not jinja2's lexer: a leftover is usually a fragment (an
``{% if %}`` whose ``{% endif %}`` was deleted) that the lexer rejects as a whole, the exemptions
above are markdown's, not jinja's, and the hook must not import jinja2 on every commit. jinja2
is a test dependency only (the tests render the real templates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.artifacts import artifact_dir
from ve_hooks.documents.frontmatter import Doc
from ve_hooks.documents.schema import generation_of
from ve_hooks.repo import Slot
from ve_hooks.rules.registry import Rule
from ve_hooks.sanitize import one_line

if TYPE_CHECKING:
    from ve_hooks.repo import Repo
    from ve_hooks.rules import Context, Target

VE301 = Rule("VE301", "unrendered-template", Severity.ERROR,
             'Artifact contains unrendered Jinja template syntax')
VE302 = Rule("VE302", "schema-comment-removed", Severity.ERROR,
             'The "DO NOT DELETE THIS COMMENT" schema block is gone from a FUTURE or IMPLEMENTING chunk')
VE303 = Rule("VE303", "plan-not-filled", Severity.WARNING,
             'PLAN.md of an IMPLEMENTING or ACTIVE chunk is still the empty template')

# A jinja construct never spans a blank line here: `{#id}` heading attributes and stray
# braces in prose must not swallow the rest of the file.
_NO_BLANK = r"(?:(?!(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n))[\s\S])"
_JINJA = re.compile(
    rf"(?<!\$)(?:\{{\{{{_NO_BLANK}*?\}}\}}|\{{%{_NO_BLANK}*?%\}}|\{{#{_NO_BLANK}*?#\}})"
)
_ANY_JINJA = re.compile(r"\{[{%#]")
_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_BACKTICKS = re.compile(r"`+")
_FM_FENCE = re.compile(r"---[ \t]*")
_FM_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# What may precede a leftover statement on a frontmatter line: indentation, list dashes,
# a `key:` and an opening quote.
_VALUE_START = re.compile(r"[ \t]*(?:-[ \t]+)*(?:[^\s:#'\"][^:]*:[ \t]+)?['\"]?")
_SCHEMA_COMMENT = re.compile(r"<!--(?:(?!-->)[\s\S])*?DO NOT DELETE THIS COMMENT")

RULE_UNRENDERED = VE301.code
RULE_SCHEMA_COMMENT = VE302.code
# Parse errors a leftover in the frontmatter causes: reported as the VE301 they are.
_SYMPTOMS = ("VE104", "VE106")


def check_file(target: Target, repo: Repo, found: list[Diagnostic]) -> list[Diagnostic]:
    """VE301/VE302 of one file; a parse error caused by a leftover gives way to the VE301."""
    doc = target.doc
    if doc is not None and doc.body is None:
        full = repo.full(target.path)
        doc = full if isinstance(full, Doc) else doc
    raw = repo.raw(target.path)
    if raw is None:
        return found
    mine = check_text(target.path, raw.decode("utf-8", "replace").lstrip("\ufeff"), doc, target.art.schema_kind)
    if doc is None and masks_parse_error(mine):
        found = [d for d in found if d.rule not in _SYMPTOMS]
    return [*found, *mine]


def check_text(path: str, text: str, doc: Doc | None, kind: str) -> list[Diagnostic]:
    """VE301 on ``text`` (the decoded file) and, for chunks, VE302 on ``doc`` (None if unparsable)."""
    generation = generation_of(doc.data) if kind == "chunk" and doc is not None else None
    out = list(_unrendered(path, text, doc, kind, generation))
    if kind == "chunk" and doc is not None:
        out.extend(_schema_comment(path, doc, generation))
    return out


def masks_parse_error(diagnostics: list[Diagnostic]) -> bool:
    """True when a VE301 sits in the frontmatter: then a YAML parse error is its consequence.

    Callers report the VE301 alone, so the author fixes the cause, not the symptom.
    """
    return any(d.rule == RULE_UNRENDERED and d.data.get("in_frontmatter") for d in diagnostics)


# ---------------------------------------------------------------------------------------------
# VE301


def _unrendered(path: str, text: str, doc: Doc | None, kind: str,
                generation: str | None) -> Iterator[Diagnostic]:
    if text.startswith("\ufeff"):
        text = text[1:]  # positions are counted as the parser counts them: after the BOM
    if _ANY_JINJA.search(text) is None:  # the common case, decided by one C-level scan
        return
    starts = _line_starts(text)
    fm_end = _frontmatter_end(text, doc, kind)  # 1-based line of the closing fence; 0 if none
    body_offset = len(text) if kind == "external" else (starts[fm_end] if fm_end < len(starts) else len(text))
    if fm_end == 0 and kind != "external":
        body_offset = 0
    exempt = _code_ranges(text, 0, body_offset, fences=False) + _code_ranges(text, body_offset, len(text),
                                                                             fences=True)
    for m in _JINJA.finditer(text):
        start = m.start()
        if _inside(start, exempt):
            continue
        line = _line_of(starts, start)
        column = start - starts[line - 1] + 1
        in_fm = start < body_offset
        snippet = one_line(m.group(), 60)
        if in_fm and not m.group().startswith("{{"):
            before = text[starts[line - 1]:start]
            if not _VALUE_START.fullmatch(before):
                continue
        if in_fm:
            hint = "replace it with the value the template would have rendered (null if there is none)"
        else:
            hint = ("replace it with real content; to show jinja syntax in prose, wrap it in backticks "
                    "or a fenced code block")
        yield Diagnostic(RULE_UNRENDERED, VE301.severity, path, line, column,
                         f"unrendered template syntax `{snippet}`"
                         + (" in the frontmatter" if in_fm else ""),
                         hint, generation=generation, data={"in_frontmatter": in_fm})


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _frontmatter_end(text: str, doc: Doc | None, kind: str) -> int:
    """Line of the closing ``---`` (from ``doc`` when parsed, else by scanning); 0 when none."""
    if kind == "external":
        return 0
    if doc is not None:
        return doc.fm_end
    lines = _NEWLINE.split(text)
    if not lines or not _FM_FENCE.fullmatch(lines[0]):
        return 0
    for i in range(1, len(lines)):
        if _FM_CLOSE.fullmatch(lines[i]):
            return i + 1
    return len(lines)  # never closed: it is all frontmatter


def _code_ranges(text: str, begin: int, end: int, *, fences: bool) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks (if ``fences``) and inline code spans in ``text[begin:end]``."""
    ranges: list[tuple[int, int]] = []
    paragraph: list[tuple[int, int]] = []  # (start, end) of the lines of the current paragraph
    fence: tuple[str, int, int] | None = None  # (char, length, start offset)

    def flush() -> None:
        if paragraph:
            ranges.extend(_code_spans(text, paragraph[0][0], paragraph[-1][1]))
            paragraph.clear()

    pos = begin
    while pos < end:
        m = _NEWLINE.search(text, pos, end)
        line_end = m.start() if m else end
        next_pos = m.end() if m else end
        line = text[pos:line_end]
        if fence is not None:
            stripped = line.strip()
            char, length, start = fence
            if stripped and set(stripped) == {char} and len(stripped) >= length:
                ranges.append((start, line_end))
                fence = None
        else:
            fm = _FENCE_OPEN.match(line) if fences else None
            if fm and not (fm.group(1)[0] == "`" and "`" in fm.group(2)):
                flush()
                fence = (fm.group(1)[0], len(fm.group(1)), pos)
            elif line.strip():
                paragraph.append((pos, line_end))
            else:
                flush()
        pos = next_pos
    flush()
    if fence is not None:  # an unclosed fence runs to the end of the document
        ranges.append((fence[2], end))
    return ranges


def _code_spans(text: str, begin: int, end: int) -> Iterator[tuple[int, int]]:
    """CommonMark code spans: a backtick run closed by the next run of the same length."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, begin, end)]
    i = 0
    while i < len(runs):
        start, stop = runs[i]
        length = stop - start
        for j in range(i + 1, len(runs)):
            if runs[j][1] - runs[j][0] == length:
                yield (start, runs[j][1])
                i = j + 1
                break
        else:
            i += 1  # no closer: the backticks are literal


def _inside(offset: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= offset < b for a, b in ranges)


# ---------------------------------------------------------------------------------------------
# VE302


def _schema_comment(path: str, doc: Doc, generation: str | None) -> Iterator[Diagnostic]:
    status = doc.data.get("status")
    if generation not in ("v2", "v3") or status not in ("FUTURE", "IMPLEMENTING"):
        return
    if _SCHEMA_COMMENT.search(doc.body):
        return
    line = doc.body_line
    yield Diagnostic(
        RULE_SCHEMA_COMMENT, VE302.severity, path, line, 1,
        f"the \"DO NOT DELETE THIS COMMENT\" schema block is missing from this {status} chunk",
        "restore the comment block from the chunk template; it may only go once "
        "`ve chunk complete` has run",
        generation=generation, data={"status": status},
    )


# ---------------------------------------------------------------------------------------------
# VE303

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def plan_is_template(text: str) -> bool:
    """True when a PLAN.md holds nothing but headings, HTML comments, rules and blank lines."""
    text = _FENCE.sub("", text.lstrip("\ufeff"), count=1)
    for line in _COMMENT.sub("", text).splitlines():
        s = line.strip()
        if s and not s.startswith("#") and s.strip("-*_ ") != "":
            return False
    return True


def _plan_path(repo: Repo, name: str) -> str:
    return f"{artifact_dir('chunk', name, repo.root)}/PLAN.md"


# PLAN.md path -> whether it is still the template, for this snapshot.
PLANS: Slot[dict[str, bool]] = Slot(f"{__name__}.plans")


def _plans(ctx: Context, plan: str) -> dict[str, bool]:
    """Whether each target chunk's PLAN.md is still the template: one batch, cached by blob id."""
    memo = ctx.repo.slot(PLANS, dict)
    if plan not in memo:
        paths = {_plan_path(ctx.repo, t.art.name) for t in ctx.targets
                 if t.art.kind == "chunk" and t.art.role == "main"} | {plan}
        memo.update(ctx.repo.derived("plan-template", paths - set(memo),
                                     lambda raw: plan_is_template(raw.decode("utf-8", "replace"))))
    return memo


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE303: a chunk under way should have a real plan, not the PLAN.md ``ve chunk create`` wrote."""
    if target.art.kind != "chunk" or target.art.role != "main" or target.doc is None:
        return []
    status = target.data.get("status")
    if status not in ("IMPLEMENTING", "ACTIVE"):
        return []
    plan = _plan_path(ctx.repo, target.art.name)
    if plan in ctx.repo.files and _plans(ctx, plan).get(plan):
        return [ctx.diag(
            "VE303", target, ("status",),
            f"chunk is {status} but {plan} is still the empty template (headings and comments only)",
            "write the approach and sequence into PLAN.md (the comments say what goes where)",
            data={"plan": plan})]
    return []
