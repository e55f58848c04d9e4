#!/usr/bin/env python3
"""Write (or check) the generated, committed documentation: the rule pages under docs/rules/
and the editor variants of the schemas under schemas/editors/.

    python scripts/gen_docs.py          # write both
    python scripts/gen_docs.py --check  # exit 1 naming what is stale (what the tests check)

The package only renders (``ve rule``, SARIF and ``ve schema export`` need the text at run time);
writing the committed copies is a development step, so it lives here, outside ``ve_hooks``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ve_hooks.documents.schema_export import expected_files
from ve_hooks.rules.docs import expected_docs
from ve_hooks.rules.registry import PREFIX

ROOT = Path(__file__).resolve().parents[1]
RULE_DOCS = "docs/rules"


def expected(root: Path) -> dict[Path, str]:
    """Every generated file (absolute path) and its content."""
    out = {root / RULE_DOCS / name: text for name, text in expected_docs().items()}
    out.update({root / rel: text for rel, text in expected_files().items()})
    return out


def stale_rule_pages(root: Path) -> list[Path]:
    """``VE*.md`` pages of rules that no longer exist."""
    pages = expected_docs()
    return sorted(p for p in (root / RULE_DOCS).glob(f"{PREFIX}*.md") if p.name not in pages)


def out_of_date(root: Path) -> list[Path]:
    """Generated files that are missing or differ, and rule pages that should be gone."""
    bad = [p for p, text in expected(root).items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    return sorted(bad + stale_rule_pages(root))


def write(root: Path) -> list[Path]:
    """Write what differs, remove stale rule pages; returns the files changed."""
    changed = stale_rule_pages(root)
    for p in changed:
        p.unlink()
    for p, text in expected(root).items():
        if not p.is_file() or p.read_text(encoding="utf-8") != text:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8", newline="\n")
            changed.append(p)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a generated file is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_date(args.root)
        for p in stale:
            print(f"{p} is out of date: run python scripts/gen_docs.py", file=sys.stderr)
        return 1 if stale else 0
    for p in write(args.root):
        print(f"Wrote {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
