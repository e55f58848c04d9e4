"""Which artifacts a change renamed: a renamed artifact is the same artifact.

``git mv docs/chunks/cli_modularize docs/chunks/cli_split`` must not make ``cli_split`` a new
chunk: its lifecycle continues from ``cli_modularize``'s status and its created_after is its own
history, never to be replaced by today's tips. Only names that appear (in the snapshot checked,
not in its base) are paired with names that vanish, per kind, so the cost is proportional to
the change.

A pair is trusted when one of these holds, in this order:

1. the same key (``0007-cli_split`` -> ``cli_split``), as the history replay pairs them;
2. the main document or PLAN.md is byte for byte the old one (a pure ``git mv``);
3. the same non-empty created_after and a main document at least 60% alike line by line (a
   move plus edits, e.g. the references updated). Artifacts share their template, so similarity
   alone would pair a deleted chunk with an unrelated new one (git's ``-M`` does, even at 100%);
   created_after is what a new chunk cannot share by accident with the one it replaces.

Each vanished name pairs at most once; an appearing name with two candidates stays new.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

SIMILARITY = 0.6


def _key(name: str) -> str:
    return art.bare_name(name)


def _oids(repo: Repo, kind: str, name: str) -> set[str]:
    d = f"{repo.root}/{art.DIR_OF[kind]}/{name}/"
    return {oid for p in (d + art.MAIN_FILE[kind], d + "PLAN.md") if p in repo.files and (oid := repo.oid(p))}


def _created_after(repo: Repo, kind: str, name: str) -> Any:
    r = repo.doc(kind, name)
    return r.data.get("created_after") if isinstance(r, frontmatter.Doc) else None


def _lines(repo: Repo, kind: str, name: str) -> list[bytes]:
    data = repo.raw(art.main_path(kind, name, repo.root))
    return data.splitlines() if data is not None else []


def _similar(repo: Repo, base: Repo, kind: str, new: str, old: str) -> bool:
    ca = _created_after(repo, kind, new)
    if not ca or ca != _created_after(base, kind, old):
        return False
    a, b = _lines(repo, kind, new), _lines(base, kind, old)
    return bool(a and b) and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILARITY


def renamed(repo: Repo, base: Repo | None, kind: str) -> dict[str, str]:
    """New name -> old name for the artifacts of ``kind`` that ``repo`` renamed since ``base``."""
    if base is None or kind not in art.KINDS:
        return {}
    memo: dict[tuple[int, str], dict[str, str]] = repo.memo.setdefault(__name__, {})
    slot = (id(base), kind)
    if slot in memo:
        return memo[slot]
    old_names, new_names = base.names(kind), repo.names(kind)
    born = sorted(n for n, a in new_names.items() if n not in old_names and a.role == "main")
    gone = sorted(n for n, a in old_names.items() if n not in new_names and a.role == "main")
    out: dict[str, str] = {}
    if born and gone:
        for test in (
            lambda new, old: _key(new) == _key(old),
            lambda new, old: bool(_oids(repo, kind, new) & _oids(base, kind, old)),
            lambda new, old: _similar(repo, base, kind, new, old),
        ):
            for new in born:
                if new in out:
                    continue
                hits = [old for old in gone if old not in out.values() and test(new, old)]
                if len(hits) == 1:
                    out[new] = hits[0]
    memo[slot] = out
    return out


def old_name(repo: Repo, base: Repo | None, kind: str, name: str) -> str | None:
    """The name artifact ``name`` had in ``base``: itself, its name before a rename, or None (new)."""
    if base is None:
        return None
    if name in base.names(kind):
        return name
    return renamed(repo, base, kind).get(name)
