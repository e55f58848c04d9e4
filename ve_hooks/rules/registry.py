"""Rule declarations: each family module declares its rules beside its checks with :class:`Rule`.

A declaration is the one statement of a rule's code, name, severity and summary; the set of
rules that run, ``--select``/``--ignore``, ``ve rule CODE``, SARIF's rule list and
``docs/rules/`` all read it. Families are the modules of ``ve_hooks.rules`` that declare rules:
declaring is registering, so adding a rule never edits a central list.

A page's prose (What it does / Why is this bad? / Example / Use instead) may be given inline or
live in ``rules/pages/VE<n>xx.md`` beside the module: the prose is 3-4x the code, and reading it
only when a page is shown keeps it off the commit-hook path.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from ve_hooks.diagnostic import Severity, UsageError

PREFIX = "VE"
DOCS_DIR = "docs/rules"
# Absolute base for links that leave the repository (SARIF helpUri, terminal hints).
DOCS_BASE = "https://github.com/ve-hooks/ve-hooks/blob/main/docs/rules/"
_PAGES = Path(__file__).with_name("pages")
# Modules of the package that hold machinery, not rules.
_NOT_FAMILIES = {"registry", "docs"}

RULES: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


@dataclass(frozen=True)
class Page:
    """The four sections of a rule's documentation page (markdown)."""

    what_it_does: str = ""
    why_bad: str = ""
    example: str = ""
    use_instead: str = ""


@dataclass(frozen=True)
class Rule:
    """One rule, declared in its family module: ``VE401 = Rule("VE401", "missing-reference", ...)``.

    ``softer`` names the one condition (if any) under which the rule reports a level lower
    (e.g. a planned path is a warning, a committed reference an error); ``ctx.diag(...,
    softer=True)`` is the only way to use it, so the page states every severity a rule has.
    """

    code: str
    name: str  # kebab-case, named after what it flags
    severity: Severity
    summary: str  # one line, no trailing period
    fix_command: str = ""  # the command that fixes it, when fixable
    softer: str = ""
    page_text: Page | None = field(default=None, compare=False, repr=False)
    module: str = field(default="", compare=False)  # the declaring family module (set on declaration)

    def __post_init__(self) -> None:
        if not re.fullmatch(rf"{PREFIX}[1-9]\d\d", self.code):
            raise ValueError(f"rule code {self.code!r} is not {PREFIX} followed by three digits")
        if not self.module:
            object.__setattr__(self, "module", sys._getframe(2).f_globals.get("__name__", ""))
        old = RULES.get(self.code)
        if old is not None and old.module != self.module:
            raise ValueError(f"{self.code} is declared twice: in {old.module} and {self.module}")
        RULES[self.code] = self
        _BY_NAME[self.name] = self

    @property
    def family(self) -> str:
        """The family, named after its module: ``references``, ``created-after``..."""
        return self.module.rsplit(".", 1)[-1].replace("_", "-")

    @property
    def fixable(self) -> bool:
        return bool(self.fix_command)

    @property
    def softer_severity(self) -> Severity:
        return Severity.WARNING if self.severity is Severity.ERROR else Severity.INFO

    @property
    def page(self) -> Page:
        return self.page_text if self.page_text is not None else _pages(self.code[:3]).get(self.code, Page())

    @property
    def family_title(self) -> str:
        return _titles().get(self.code[:3], f"{self.code[:3]}xx: {self.family}")


def undeclare(code: str) -> None:
    """Forget a declaration (for tests that declare throwaway rules)."""
    rule = RULES.pop(code, None)
    if rule is not None and _BY_NAME.get(rule.name) is rule:
        del _BY_NAME[rule.name]


# ----------------------------------------------------------------------------- discovery


@lru_cache(maxsize=1)
def _family_modules() -> tuple[str, ...]:
    import ve_hooks.rules as pkg

    return tuple(f"ve_hooks.rules.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                 if not m.ispkg and m.name not in _NOT_FAMILIES)


def load_all() -> dict[str, Rule]:
    """Import every family module of the package (declaring its rules) and return all rules."""
    for name in _family_modules():
        if name not in sys.modules:
            importlib.import_module(name)
    return RULES


def rules() -> dict[str, Rule]:
    """Every declared rule, by code, in code order."""
    return dict(sorted(load_all().items()))


def get(code: str) -> Rule | None:
    """A rule by code (any case) or by name."""
    load_all()
    key = code.strip()
    return RULES.get(key.upper()) or _BY_NAME.get(key.lower())


def severity(code: str) -> Severity:
    """The declared severity of ``code`` (a diagnostic never states its own)."""
    rule = get(code)
    if rule is None:
        raise KeyError(f"{code} is not a declared rule")
    return rule.severity


def families() -> dict[str, list[Rule]]:
    """Family name -> its rules, in code order."""
    out: dict[str, list[Rule]] = {}
    for rule in rules().values():
        out.setdefault(rule.family, []).append(rule)
    return out


def family_modules(enabled: Callable[[str], bool] = lambda code: True) -> list[str]:
    """The modules declaring at least one enabled rule, in code order."""
    out: list[str] = []
    for rule in rules().values():
        if rule.module not in out and enabled(rule.code):
            out.append(rule.module)
    return out


def doc_url(code: str) -> str:
    """Repository-relative path of a rule's page (stable across forks and mirrors)."""
    return f"{DOCS_DIR}/{code}.md"


def help_uri(code: str) -> str:
    """Absolute URL of a rule's page, for SARIF ``helpUri`` and CI annotations."""
    return f"{DOCS_BASE}{code}.md"


def suggest(text: str) -> str | None:
    """The code closest to ``text`` (a mistyped code, prefix or rule name), for did-you-mean."""
    load_all()
    key = text.strip()
    if key.lower() in _BY_NAME:
        return _BY_NAME[key.lower()].code
    candidates = sorted(RULES) + sorted(_BY_NAME)
    import difflib  # only for a did-you-mean: kept off the commit hook's import path

    match = difflib.get_close_matches(key.upper() if key.upper().startswith(PREFIX) else key.lower(),
                                      candidates, n=1, cutoff=0.6)
    if not match:
        return None
    return match[0] if match[0] in RULES else _BY_NAME[match[0]].code


def did_you_mean(text: str) -> str:
    """A ``; did you mean VE201 (invalid-status)?`` suffix, or empty when nothing is close."""
    code = suggest(text)
    return f"; did you mean {code} ({RULES[code].name})?" if code else ""


# ----------------------------------------------------------------------------- select / ignore


def _selectors(items: Iterable[str] | str | None) -> list[str]:
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return out


def _normalise(selector: str) -> str:
    """Validate one selector and return its canonical prefix; ``ALL`` means every rule."""
    upper = selector.upper()
    if upper == "ALL":
        return PREFIX
    if upper.startswith(PREFIX) and any(code.startswith(upper) for code in load_all()):
        return upper
    raise UsageError(f"unknown rule selector {selector!r}{did_you_mean(selector)}")


def select(
    select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None
) -> Callable[[str], bool]:
    """Return ``enabled(code) -> bool`` with ruff's --select/--ignore semantics.

    Selectors are codes or prefixes (``VE``, ``VE2``, ``VE201``, ``ALL``; items may be
    comma-separated). For each code the longest matching selector decides, so ``ignore VE2``
    with ``select VE201`` keeps VE201 on; at equal length ``ignore`` wins. ``select`` defaults
    to every rule. Unknown selectors raise ``UsageError`` with a did-you-mean.
    """
    chosen = [_normalise(s) for s in _selectors(select)] or [PREFIX]
    dropped = [_normalise(s) for s in _selectors(ignore)]

    def enabled(code: str) -> bool:
        code = code.upper()
        best_on = max((len(s) for s in chosen if code.startswith(s)), default=-1)
        best_off = max((len(s) for s in dropped if code.startswith(s)), default=-1)
        return best_on > best_off

    return enabled


# ----------------------------------------------------------------------------- page prose

_SECTIONS = {"## What it does": "what_it_does", "## Why is this bad?": "why_bad",
             "## Example": "example", "## Use instead": "use_instead"}
_RULE_HEAD = re.compile(rf"# ({PREFIX}\d{{3}})")


def _read_pages(text: str) -> tuple[str, dict[str, Page]]:
    """Split a family's pages file into its title and one :class:`Page` per ``# CODE`` section
    (headings inside code fences belong to the example, not to the file's structure)."""
    title, pages = "", {}
    code, section, parts, fenced = "", "", {}, False  # type: ignore[var-annotated]
    buf: list[str] = []

    def flush() -> None:
        if code and section:
            parts[section] = "\n".join(buf).strip("\n")

    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and (m := _RULE_HEAD.fullmatch(line)):
            flush()
            if code:
                pages[code] = Page(**parts)
            code, section, parts, buf = m.group(1), "", {}, []
        elif not fenced and line in _SECTIONS and code:
            flush()
            section, buf = _SECTIONS[line], []
        elif not fenced and line.startswith("# ") and not code:
            title = line[2:].strip()
        elif section:
            buf.append(line)
    flush()
    if code:
        pages[code] = Page(**parts)
    return title, pages


@cache
def _family_file(prefix: str) -> tuple[str, dict[str, Page]]:
    path = _PAGES / f"{prefix}xx.md"
    return _read_pages(path.read_text(encoding="utf-8")) if path.is_file() else ("", {})


def _pages(prefix: str) -> dict[str, Page]:
    return _family_file(prefix)[1]


def _titles() -> dict[str, str]:
    return {p.stem[:3]: t for p in sorted(_PAGES.glob(f"{PREFIX}*xx.md")) if (t := _family_file(p.stem[:3])[0])}
