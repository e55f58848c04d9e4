"""README, docs/pre-commit.md and the hook manifest tell a newcomer the same thing: one
repository URL, every hook, the fixer first, the same example configuration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ve_hooks.report.sarif import INFORMATION_URI

TOP = Path(__file__).parents[1]
MANIFEST = yaml.safe_load((TOP / ".pre-commit-hooks.yaml").read_text())
HOOK_IDS = [h["id"] for h in MANIFEST]
FIXER = "ve-created-after"


def configs(doc: str, local: bool = False) -> list[dict[str, Any]]:
    """Every fenced YAML block of a markdown file that is a pre-commit configuration using the
    published repository (``local``: those with the ``repo: local`` recipe instead)."""
    text = (TOP / doc).read_text()
    blocks = re.findall(r"(?ms)^```ya?ml\n(.*?)^```", text)
    return [c for c in (yaml.safe_load(b) for b in blocks) if isinstance(c, dict) and "repos" in c
            and (c["repos"][0]["repo"] == "local") == local]


def manifest_example() -> dict[str, Any]:
    """The example in the manifest's header comment."""
    lines = [line[1:] for line in (TOP / ".pre-commit-hooks.yaml").read_text().splitlines()
             if line.startswith("#   ") or line.startswith("#     ")]
    return {"repos": yaml.safe_load("\n".join(lines))}


def test_readme_docs_and_manifest_show_the_same_configuration() -> None:
    (readme,) = configs("README.md")
    (docs,) = configs("docs/pre-commit.md")
    assert readme == docs == manifest_example()


def test_every_hook_is_in_the_examples_fixer_first() -> None:
    for doc in ("README.md", "docs/pre-commit.md"):
        (config,) = configs(doc)
        (repo,) = config["repos"]
        ids = [h["id"] for h in repo["hooks"]]
        assert sorted(ids) == sorted(HOOK_IDS), doc
        assert ids[0] == FIXER, f"{doc}: the fixer must run before the hooks that validate its output"
        text = (TOP / doc).read_text()
        for hook_id in HOOK_IDS:
            assert f"`{hook_id}`" in text or f"id: {hook_id}" in text, f"{doc} never names {hook_id}"


def test_one_repository_url() -> None:
    urls = set()
    for doc in ("README.md", "docs/pre-commit.md", ".pre-commit-hooks.yaml", "action.yml"):
        text = (TOP / doc).read_text()
        assert "<owner>" not in text, doc
        urls |= set(re.findall(r"https://github\.com/[\w.-]+/ve-hooks\b", text))
        urls |= {f"https://github.com/{m}" for m in re.findall(r"uses: ([\w.-]+/ve-hooks)@", text)}
    assert urls == {INFORMATION_URI}


def test_the_local_recipe_runs_the_manifests_hooks() -> None:
    """docs/pre-commit.md's ``repo: local`` recipe: every hook, fixer first, with the manifest's
    entry, name, files, stages and filename passing (language: system runs the installed script)."""
    (config,) = configs("docs/pre-commit.md", local=True)
    (repo,) = config["repos"]
    hooks = repo["hooks"]
    assert [h["id"] for h in hooks][0] == FIXER and sorted(h["id"] for h in hooks) == sorted(HOOK_IDS)
    manifest = {h["id"]: h for h in MANIFEST}
    for h in hooks:
        m = manifest[h["id"]]
        assert h["language"] == "system"
        for key in ("entry", "name", "files", "exclude", "types", "always_run", "pass_filenames", "stages"):
            assert h.get(key) == m.get(key), (h["id"], key)


def test_generated_docs_are_current() -> None:
    """The committed rule pages and editor schemas are what scripts/gen_docs.py writes."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, str(root / "scripts" / "gen_docs.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
