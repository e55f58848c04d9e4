"""VE701-VE704 on real repositories: files, v1 ranges, Python symbols, backreference comments."""

from __future__ import annotations

import json
import keyword
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_support import rule_context, run_rule, sources
from support.cli import script
from support.repo_factory import GitRepo

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import pysymbols
from ve_hooks.rules import Target, backreferences
from ve_hooks.rules import code_references as coderefs

VE_VALIDATE = script("ve-validate")

APP = '''"""App."""
from typing import TYPE_CHECKING

LIMIT = 3
a, (b, *rest) = 1, (2, 3)
if TYPE_CHECKING:
    Alias = int

class Writer:
    mode: str = "w"

    class Buffer:
        def flush(self) -> None:
            def inner() -> None: ...

    async def fsync(self) -> None:
        local = 1

def main() -> None:
    pass
'''


def _check(r: GitRepo, **kw: Any) -> list[Diagnostic]:
    return run_rule(coderefs.check, r, **kw)


def _refs(*refs: str) -> list[dict[str, str]]:
    return [{"ref": x, "implements": "it"} for x in refs]


def test_symbols_of_python_module() -> None:
    syms = pysymbols.symbols(APP)
    assert isinstance(syms, set)
    for s in ("LIMIT", "a", "b", "rest", "Alias", "Writer", "Writer::mode", "Writer::Buffer",
              "Writer::Buffer::flush", "Writer::Buffer::flush::inner", "Writer::fsync", "main"):
        assert s in syms, s
    assert "Writer::fsync::local" not in syms and "TYPE_CHECKING" not in syms
    bad = pysymbols.symbols("def broken(:\n")
    assert isinstance(bad, pysymbols.Unparsable) and bad.reason.startswith("line 1")
    assert isinstance(pysymbols.symbols(b"x = 1\x00"), pysymbols.Unparsable)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: not keyword.iskeyword(n)),
                min_size=1, max_size=4))
def test_nested_classes_round_trip(names: list[str]) -> None:
    src = "".join("    " * i + f"class {n}:\n" for i, n in enumerate(names)) + "    " * len(names) + "pass\n"
    syms = pysymbols.symbols(src)
    assert isinstance(syms, set) and "::".join(names) in syms
    assert pysymbols.from_json(json.loads(json.dumps(pysymbols.to_json(syms)))) == syms


def test_symbol_references(repo: GitRepo) -> None:
    repo.write("src/app.py", APP)
    repo.write("src/ui/view.ts", "export function render() {}\n")
    repo.chunk("good", "ACTIVE", code_references=_refs(
        "src/app.py#Writer::Buffer::flush", "src/app.py#LIMIT", "src/app.py", "./src/app.py#main",
        "src/ui/view.ts#render", "src/ui/view.ts#NotCheckedAnyway", "src/ui/"))
    repo.chunk("bad", "ACTIVE", code_references=_refs("src/app.py#Writer::flush", "src/app.py#Mian"))
    repo.commit()
    ds = _check(repo)
    assert [(d.rule, d.path, d.message) for d in ds] == [
        ("VE703", "docs/chunks/bad/GOAL.md", "src/app.py defines no symbol 'Writer::flush'"),
        ("VE703", "docs/chunks/bad/GOAL.md", "src/app.py defines no symbol 'Mian'"),
    ]
    assert ds[0].hint == "did you mean 'Writer::Buffer::flush'?" and ds[1].hint == "did you mean 'main'?"
    assert ds[0].data == {"file": "src/app.py", "symbol": "Writer::flush", "checked": True}
    ctx = rule_context(repo)
    good = ctx.repo.names("chunk")["good"]
    target = Target(good, ctx.repo.load([good.path])[good.path])
    assert coderefs.unchecked_refs(target, ctx) == [("src/ui/view.ts", "render"),
                                                    ("src/ui/view.ts", "NotCheckedAnyway")]


def test_symbol_tables_are_cached_by_blob(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("src/app.py", APP)
    repo.chunk("c", "ACTIVE", code_references=_refs("src/app.py#main"))
    repo.commit()
    cache = Cache(tmp_path / "cache")
    assert _check(repo, cache=cache) == []
    cache.flush()
    oid = git.blob_id(APP.encode())
    stored = Cache(tmp_path / "cache").get_many("pysymbols", [oid])
    assert "Writer::Buffer::flush" in stored[oid]["symbols"]
    # A poisoned entry proves the second run reads the cache instead of parsing again.
    poisoned = Cache(tmp_path / "cache")
    poisoned.put("pysymbols", oid, {"symbols": ["other"]})
    poisoned.flush()
    [d] = _check(repo, cache=Cache(tmp_path / "cache"))
    assert d.message == "src/app.py defines no symbol 'main'"


def test_unparsable_python_is_a_warning_not_a_crash(repo: GitRepo) -> None:
    repo.write("src/app.py", "def broken(:\n")
    repo.chunk("c", "ACTIVE", code_references=_refs("src/app.py#broken"))
    repo.commit()
    [d] = _check(repo)
    assert (d.rule, d.severity) == ("VE703", Severity.WARNING)
    assert "does not parse as Python (line 1" in d.message and d.data["checked"] is False


def test_missing_files_and_docs_only_hint(repo: GitRepo) -> None:
    repo.write("src/app.py", APP)
    repo.chunk("c", "ACTIVE", code_references=_refs("src/gone.py#x", "lib/other.py", "../outside.py"),
               code_paths=["src/app.py", "src/planned.py", "src/*.py", "tests/*.py"])
    repo.chunk("future", "FUTURE", code_paths=["src/not_yet.py"])
    repo.chunk("hist", "HISTORICAL", code_references=_refs("src/ancient.py#x"))
    repo.commit()
    got = [(d.rule, d.severity.value, d.message) for d in _check(repo)]
    assert got == [
        # vibe-engineer 0.10.0 makes a stale code_paths entry or an empty glob an error.
        ("VE701", "error", "code_paths entry: src/planned.py is not in the snapshot"),
        ("VE701", "error", "code_paths entry 'tests/*.py' matches no file in the snapshot"),
        ("VE701", "error", "code reference: src/gone.py is not in the snapshot"),
        ("VE701", "error", "code reference: lib/other.py is not in the snapshot"),
        ("VE701", "error", "code reference '../outside.py' does not name a file inside the repository"),
    ]
    lib = [d for d in _check(repo) if "lib/other.py" in d.message][0]
    assert "there is no lib/ at all" in lib.hint and "check-code-references = false" in lib.hint
    assert _check(repo, check_code_references=False) == []


def test_staged_deletion_of_referenced_file(repo: GitRepo) -> None:
    repo.write("src/app.py", APP)
    repo.chunk("c", "ACTIVE", code_references=_refs("src/app.py#main"))
    repo.commit()
    repo.git("rm", "-q", "--cached", "src/app.py")  # still on disk, gone from the next commit
    assert _check(repo) == []
    [d] = _check(repo, staged=True)
    assert d.message == "code reference: src/app.py is not in the snapshot"
    p = subprocess.run([VE_VALIDATE, "--staged", "--format", "json", "--select", "VE7"], cwd=repo.path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    [x] = json.loads(p.stdout)["diagnostics"]
    assert x["rule"] == "VE701" and x["data"] == {"file": "src/app.py", "symbol": "main", "checked": False}


def test_v1_line_ranges(repo: GitRepo) -> None:
    repo.write("src/w.rs", "".join(f"line {i}\n" for i in range(1, 51)))

    def ranges(*values: object) -> list[dict[str, Any]]:
        return [{"file": "src/w.rs", "ranges": [{"lines": v, "implements": "x"} for v in values]}]

    repo.chunk("v1", "ACTIVE", code_references=ranges("1-50", 7, "10-20", "45-120", "30-20", "abc", "0-3"))
    repo.commit()
    got = [(d.rule, d.message) for d in _check(repo)]
    assert got == [
        ("VE702", "line range '45-120' runs past the end of src/w.rs (50 lines)"),
        ("VE702", "line range '30-20' is reversed"),
        ("VE702", "line range 'abc' is not START-END"),
        ("VE702", "line range '0-3' starts before line 1"),
    ]


def test_subsystem_code_references_checked_unless_deprecated(repo: GitRepo) -> None:
    for name, status in (("live", "STABLE"), ("dead", "DEPRECATED")):
        repo.write(f"docs/subsystems/{name}/OVERVIEW.md",
                   f"---\nstatus: {status}\nchunks: []\ncode_references:\n- ref: src/x.py#Y\n  implements: z\n"
                   "created_after: []\n---\n\n# S\n")
    repo.commit()
    [d] = _check(repo)
    assert d.path == "docs/subsystems/live/OVERVIEW.md" and d.rule == "VE701"


SOURCE = """import os
# Chunk: docs/chunks/known - fine
    # Subsystem: docs/subsystems/missing_sub - nope
x = 1  # Chunk: docs/chunks/not_a_comment_line
// Chunk: docs/chunks/0007-known - legacy spelling
/* Chunk: docs/chunks/shared */
# Chunk: docs/subsystems/validation - label disagrees with the directory
"""


def test_check_source_backreferences(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE")
    repo.write("docs/chunks/shared/external.yaml", "artifact_id: shared\nartifact_type: chunk\nrepo: o/r\n")
    repo.write("docs/subsystems/validation/OVERVIEW.md", "---\nstatus: STABLE\n---\n")
    repo.commit()
    ctx = rule_context(repo, staged=True)
    ds = backreferences.check_source("src/mod.py", SOURCE, sources(ctx))
    assert [(d.rule, d.line, d.column) for d in ds] == [("VE704", 3, 18), ("VE704", 5, 11), ("VE704", 7, 10)]
    assert ds[0].message == "backreference names docs/subsystems/missing_sub, which does not exist"
    assert ds[1].hint == "renamed to 'known'? update the reference"
    assert ds[2].hint == "write 'Subsystem: docs/subsystems/validation'"
    assert SOURCE.splitlines()[2][17:].startswith("docs/subsystems/missing_sub")


def test_check_source_markdown_skips_fences_and_reads_html_comments(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE")
    repo.commit()
    text = ("<!-- Chunk: docs/chunks/known - ok -->\n<!-- Chunk: docs/chunks/gone-->\n"
            "```python\n# Chunk: docs/chunks/short_name - Brief description\n```\n")
    ctx = rule_context(repo)
    [d] = backreferences.check_source("docs/trunk/ARTIFACTS.md", text, sources(ctx))
    assert (d.line, d.column) == (2, 13) and "docs/chunks/gone," in d.message


def test_check_source_nested_markdown_fences(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE")
    repo.commit()
    text = ("````markdown\n```python\n# Chunk: docs/chunks/example_only\n```\n````\n"
            "```markdown\n```python\n# Chunk: docs/chunks/still_example\n```\n"
            "# Chunk: docs/chunks/after_fence\n")
    [d] = backreferences.check_source("docs/x.md", text, sources(rule_context(repo)))
    assert d.line == 10 and "after_fence" in d.message
    # Outside markdown, fences mean nothing.
    assert len(backreferences.check_source("src/x.py", text, sources(rule_context(repo)))) == 3
