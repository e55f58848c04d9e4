"""A fixer never adds a finding: ``ve created-after fill`` (the pre-commit fixer's engine) and
``ve-validate --fix`` leave every file with at most the errors it had, and a document they
cannot improve untouched (issue: a v1 chunk given ``created_after: []`` became a v3 one, VE206)."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import ve
from support.repo_factory import GitRepo, render_frontmatter

from ve_hooks.commands.created_after import fill
from ve_hooks.commands.fix import apply_fixes
from ve_hooks.diagnostic import Severity
from ve_hooks.project import locate
from ve_hooks.validation import engine

EXAMPLE = Path(__file__).parents[2] / "examples" / "demo"

V1_REFS = [{"file": "src/app.py", "ranges": [{"lines": "1-2", "implements": "main"}]}]
V2_REFS = [{"ref": "src/app.py#main", "implements": "main"}]


def errors(path: Path) -> Counter[str]:
    out = engine.run(engine.Options(repo=str(path), cwd=path, suppress=False))
    return Counter(d.path for d in out.diagnostics if d.severity is Severity.ERROR)


@st.composite
def chunk_documents(draw: st.DrawFn) -> str:
    gen = draw(st.sampled_from(["v1", "v2", "v3"]))
    data: dict[str, Any] = {"status": draw(st.sampled_from(["ACTIVE", "IMPLEMENTING", "FUTURE", "active", "DONE"])),
                            "ticket": draw(st.sampled_from([None, "T-1", 7])), "parent_chunk": None,
                            "code_paths": ["src/app.py"]}
    data["code_references"] = V1_REFS if gen == "v1" else V2_REFS
    if gen != "v1":
        data["narrative"] = None
    if gen == "v3" or draw(st.booleans()):
        ca = draw(st.sampled_from([None, [], ["base"], ["nope"], "base"]))
        if ca is not None:
            data["created_after"] = ca
    if draw(st.booleans()):
        data["creatd_after"] = ["base"]  # a misspelt key: a did-you-mean fix
    body = draw(st.sampled_from(["# Chunk Goal\n\nText.\n",
                                 "<!--\nDO NOT DELETE THIS COMMENT BLOCK\n-->\n\n# Chunk Goal\n"]))
    return f"---\n{render_frontmatter(data)}---\n\n{body}"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=chunk_documents(), committed_base=st.booleans())
def test_no_fix_raises_any_files_error_count(doc: str, committed_base: bool) -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        r = GitRepo.init(tmp / "r")
        r.write("src/app.py", "def main():\n    pass\n")
        r.chunk("base")
        if committed_base:
            r.commit("base")
        r.write("docs/chunks/new_one/GOAL.md", doc)
        before = errors(r.path)
        fill(locate(r.path), notes=[])
        assert all(errors(r.path)[p] <= n for p, n in before.items()), "fill added an error"
        assert set(errors(r.path)) <= set(before)
        opts = engine.Options(repo=str(r.path), cwd=r.path)
        apply_fixes(engine.run(opts), opts, unsafe=True)
        after = errors(r.path)
        assert set(after) <= set(before) and all(after[p] <= n for p, n in before.items()), (before, after)
    finally:
        shutil.rmtree(tmp)


def test_the_example_keeps_its_six_errors_and_its_legacy_chunks_untouched(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "demo")
    r = GitRepo(tmp_path / "demo")
    r.git("init", "-q")
    r.add()
    legacy = r.read("docs/chunks/ledger_core/GOAL.md")
    assert sum(errors(r.path).values()) == 6
    out = ve("created-after", "fill", cwd=r.path)
    assert "ledger_core/GOAL.md: not filled: writing created_after would add VE206" in out.stderr
    assert r.read("docs/chunks/ledger_core/GOAL.md") == legacy
    assert sum(errors(r.path).values()) == 6


def test_a_v3_chunk_is_still_filled(tmp_path: Path) -> None:
    import yaml

    r = GitRepo.init(tmp_path / "r")
    r.chunk("base")
    r.commit()
    r.chunk("next", "FUTURE", [])
    out = ve("created-after", "fill", cwd=r.path)
    assert out.returncode == 1 and "Fixing docs/chunks/next/GOAL.md" in out.stdout
    front = r.read("docs/chunks/next/GOAL.md").decode().split("---\n")[1]
    assert yaml.safe_load(front)["created_after"] == ["base"]
