"""A configured severity (``severity = { CODE = "..." }``) is applied once, by the engine's filter,
to every finding alike: per-file findings (cached by blob id), whole-repository ones and source
files, on a cold run and on a warm one that reads the cache."""

from __future__ import annotations

import json

from support.cli import ve
from support.repo_factory import GitRepo


def _findings(repo: GitRepo) -> dict[str, str]:
    r = ve("--format", "json", cwd=repo.path, prog="ve-validate")
    assert r.returncode in (0, 1), r.stderr
    return {d["rule"]: d["severity"] for d in json.loads(r.stdout)["diagnostics"]}


def test_configured_severities_reach_every_kind_of_finding(repo: GitRepo) -> None:
    repo.chunk("base")
    repo.commit("base")
    repo.chunk("typo", status="ACTVE", created_after=["base"])  # VE201: per-file, cached
    repo.chunk("orphan", created_after=["never_existed"])  # VE401: a whole-repository family
    repo.commit("findings")
    before = _findings(repo)
    assert before["VE201"] == "error" and before["VE401"] == "error", before
    repo.write(".ve-hooks.toml", 'severity = { VE201 = "warning", VE401 = "info" }\n')
    for _ in range(2):  # cold, then warm from the cache: the override is not baked into a cached row
        after = _findings(repo)
        assert (after["VE201"], after["VE401"]) == ("warning", "info"), after
    repo.write(".ve-hooks.toml", "")
    assert _findings(repo) == before
