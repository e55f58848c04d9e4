"""No value crashes a rule: any YAML value in any field of any artifact kind reaches every rule
family and every report format, and the run comes back with diagnostics, never an exception
(which ve-validate would turn into exit 2, "the tool broke")."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import script
from support.repo_factory import GitRepo
from support.yaml_values import ALL_SPELLINGS, BASE, RECORDS, slots

from ve_hooks import report
from ve_hooks.diagnostic import Summary
from ve_hooks.validation import engine

EXTERNAL = {"artifact_type": "chunk", "artifact_id": "shared", "repo": "acme/other", "track": "main",
            "pinned": None, "created_after": []}
FILES = {"chunk": "docs/chunks/target/GOAL.md", "narrative": "docs/narratives/target/OVERVIEW.md",
         "investigation": "docs/investigations/target/OVERVIEW.md",
         "subsystem": "docs/subsystems/target/OVERVIEW.md", "external": "docs/chunks/shared/external.yaml"}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.dates(), st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)),
    st.sampled_from(["FUTURE", "ACTIVE", "alpha", "target", "F001", "src/app.py#main", "docs/chunks/alpha",
                     "implements", "../../etc/passwd", "a" * 300, "{{ ticket_id }}"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12) | st.sampled_from(sorted({f for r in RECORDS.values()
                                                                                      for f in r})),
                                        inner, max_size=4), max_leaves=12)


def _seed(repo: GitRepo) -> None:
    repo.write("src/app.py", "# Chunk: docs/chunks/alpha - entry\ndef main():\n    pass\n")
    repo.chunk("alpha", "ACTIVE")
    for kind, path in FILES.items():
        if kind == "external":
            repo.write(path, yaml.safe_dump(EXTERNAL))
        else:
            repo.write(path, "---\n" + "\n".join(f"{k}: {v}" for k, v in BASE[kind].items()) + "\n---\n\n# T\n")
    repo.write("docs/trunk/FRICTION.md", "---\nthemes: []\nproposed_chunks: []\n---\n\n# Friction\n")
    repo.commit("base")


def _set(doc: dict[str, Any], slot: str, value: Any) -> None:
    key, _, rest = slot.partition("[0]")
    if not rest and slot == key:
        doc[key] = value
    elif not rest:
        doc[key] = [value]
    else:
        record: dict[str, Any] = {f: yaml.safe_load(v) for f, v in RECORDS[key].items()}
        record[rest.lstrip(".")] = value
        doc[key] = [record]


def _write(repo: GitRepo, kind: str, slot: str, value: Any, spelling: str | None) -> None:
    if kind == "external":
        data = dict(EXTERNAL)
        data[slot] = value
        text = yaml.safe_dump(data, allow_unicode=True)
        if spelling is not None:
            text = f"{slot}: {spelling}\n" + "".join(f"{k}: {v}\n" for k, v in EXTERNAL.items() if k != slot
                                                     and not isinstance(v, list)) + "created_after: []\n"
        repo.write(FILES[kind], text)
        return
    data: dict[str, Any] = {k: yaml.safe_load(v) for k, v in BASE[kind].items()}
    _set(data, slot, value)
    fm = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if spelling is not None:  # the value as a person writes it, for YAML to type
        fm = "\n".join(line for line in fm.splitlines() if not line.startswith(slot.partition("[")[0] + ":"))
        fm += f"\n{slot.partition('[')[0]}: {spelling}\n"
    repo.write(FILES[kind], f"---\n{fm}---\n\n# T\n\nBody.\n")


SLOTS = [(kind, slot) for kind in BASE for slot in slots(kind)] + [("external", k) for k in EXTERNAL]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo.init(tmp_path_factory.mktemp("any-value") / "repo")
    _seed(repo)
    return repo


def _run_everything(root: Path) -> None:
    for staged in (False, True):
        outcome = engine.run(engine.Options(repo=str(root), staged=staged, cwd=root))
        assert outcome.files > 0
        summary = Summary.of(outcome.diagnostics, outcome.files, outcome.checked)
        for fmt in report.FORMATS:
            report.render(fmt, outcome.diagnostics, summary, stream=io.StringIO())


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(SLOTS) | st.sampled_from([s for s in SLOTS if s[1] in ("status", "created_after")]),
       value=values, spelling=st.none() | st.sampled_from(ALL_SPELLINGS))
def test_any_value_in_any_field_never_crashes(seeded: GitRepo, where: tuple[str, str], value: Any,
                                              spelling: str | None) -> None:
    kind, slot = where
    _write(seeded, kind, slot, value, spelling)
    seeded.add()
    _run_everything(seeded.path)


def test_wrong_types_everywhere_exit_1_not_2(seeded: GitRepo) -> None:
    """The CLI on a repository whose every kind has a status and created_after of the wrong type."""
    import json
    import subprocess

    for kind in ("chunk", "narrative", "investigation", "subsystem"):
        _write(seeded, kind, "status", ["ACTIVE"], None)
    _write(seeded, "chunk", "created_after", {"a": [1, None]}, None)
    _write(seeded, "external", "artifact_id", {"x": 1}, None)
    p = subprocess.run([script("ve-validate"), "--format", "json"], cwd=seeded.path,
                       capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["summary"]["errors"] > 0
