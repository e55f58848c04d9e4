"""Fixtures of the differential suite: vibe-engineer 0.10.0 installed once per session (pytest's
cache), and each base repository shape built once per session by its commands
(tests/support/ve_builds.py), copied by each case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.ve_builds import BUILDERS, Upstream
from support.vibe_engineer import cached_release


@pytest.fixture(scope="session")
def upstream(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    home = tmp_path_factory.mktemp("ve010-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    up = Upstream(cached_release(request.config), home)
    yield up
    up.close()


@pytest.fixture(scope="session")
def bases(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Each base shape built once on first use; a case copies it."""
    built: dict[str, Path] = {}

    def get(shape: str) -> Path:
        if shape not in built:
            where = tmp_path_factory.mktemp(f"base-{shape}") / shape
            BUILDERS[shape](upstream, where)
            built[shape] = where
        return built[shape]

    return get
