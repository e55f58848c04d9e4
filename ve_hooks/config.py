"""Effective configuration: defaults, then ``[tool.ve-hooks]`` in pyproject.toml, then ``.ve-hooks.toml``.

Every value remembers where it came from, so ``ve-validate --show-config`` can say so.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks.diagnostic import Severity, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_TIP_STATUSES = {
    "chunk": ["ACTIVE"],
    "narrative": ["ACTIVE"],
    "investigation": [],  # empty: any status is tip-eligible
    "subsystem": [],
}

KNOWN_KEYS = {
    "artifact-root": "directory holding chunks/, narratives/, ... (default: docs)",
    "select": "rule codes or prefixes to enable (default: all)",
    "ignore": "rule codes or prefixes to disable",
    "severity": "map of rule code -> error|warning|info",
    "strict-transitions": "true: a status may move only one step per commit",
    "tip-statuses": "map of kind -> statuses that make an artifact tip-eligible",
    "per-path-ignores": "map of glob -> rule codes or prefixes ignored for matching paths",
    "check-code-references": "false: skip VE7xx file/symbol checks (e.g. docs-only checkouts)",
    "orch": "table: which agent `ve orch run` starts and how (agent, permission-mode, allowed-tools, max-turns, defer)",
}


@dataclass
class Config:
    artifact_root: str = "docs"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    strict_transitions: bool = False
    tip_statuses: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in
                                                                        DEFAULT_TIP_STATUSES.items()})
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    check_code_references: bool = True
    orch: dict[str, Any] = field(default_factory=dict)  # read by ve_hooks.orch.claude
    sources: dict[str, str] = field(default_factory=dict)

    def tip_eligible(self, kind: str, status: object) -> bool:
        allowed = self.tip_statuses.get(kind, [])
        return not allowed or status in allowed

    def ignored_for(self, path: str) -> list[str]:
        out: list[str] = []
        for pattern, codes in self.per_path_ignores.items():
            if fnmatch.fnmatch(path, pattern):
                out.extend(codes)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "artifact-root": self.artifact_root,
            "select": self.select,
            "ignore": self.ignore,
            "severity": {k: v.value for k, v in self.severity.items()},
            "strict-transitions": self.strict_transitions,
            "tip-statuses": self.tip_statuses,
            "per-path-ignores": self.per_path_ignores,
            "check-code-references": self.check_code_references,
            "orch": self.orch,
        }


def load(root: Path | None) -> Config:
    """Read the configuration of the repository at ``root`` (None: defaults only)."""
    cfg = Config()
    cfg.sources = {k: "default" for k in KNOWN_KEYS}
    if root is None:
        return cfg
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("ve-hooks")
        if isinstance(table, dict):
            _apply(cfg, table, "pyproject.toml [tool.ve-hooks]")
    dotfile = root / ".ve-hooks.toml"
    if dotfile.is_file():
        _apply(cfg, _read(dotfile), ".ve-hooks.toml")
    return cfg


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"{path.name}: invalid TOML: {e}") from None


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(f"{where}: {key} must be a list of strings")


def _apply(cfg: Config, table: dict[str, Any], where: str) -> None:
    for key, value in table.items():
        if key not in KNOWN_KEYS:
            import difflib

            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            raise UsageError(f"{where}: unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        cfg.sources[key] = where
        if key == "artifact-root":
            if not isinstance(value, str) or not value.strip("/") or ".." in value.split("/"):
                raise UsageError(f"{where}: artifact-root must be a relative directory")
            cfg.artifact_root = value.strip("/")
        elif key in ("select", "ignore"):
            setattr(cfg, key, [c.upper() for c in _strings(value, key, where)])
        elif key == "severity":
            if not isinstance(value, dict):
                raise UsageError(f"{where}: severity must be a table of CODE = \"error|warning|info\"")
            for code, sev in value.items():
                try:
                    cfg.severity[code.upper()] = Severity(sev)
                except ValueError:
                    raise UsageError(f"{where}: severity of {code} must be error, warning or info") from None
        elif key in ("strict-transitions", "check-code-references"):
            if not isinstance(value, bool):
                raise UsageError(f"{where}: {key} must be true or false")
            setattr(cfg, key.replace("-", "_"), value)
        elif key == "tip-statuses":
            if not isinstance(value, dict):
                raise UsageError(f"{where}: tip-statuses must be a table of kind = [statuses]")
            for kind, statuses in value.items():
                if kind not in DEFAULT_TIP_STATUSES:
                    raise UsageError(f"{where}: tip-statuses: unknown kind {kind!r}")
                cfg.tip_statuses[kind] = [s.upper() for s in _strings(statuses, f"tip-statuses.{kind}", where)]
        elif key == "orch":
            if not isinstance(value, dict):
                raise UsageError(f"{where}: orch must be a table ([tool.ve-hooks.orch])")
            cfg.orch = dict(value)
        elif key == "per-path-ignores":
            if not isinstance(value, dict):
                raise UsageError(f"{where}: per-path-ignores must be a table of glob = [codes]")
            cfg.per_path_ignores = {g: [c.upper() for c in _strings(c, g, where)] for g, c in value.items()}
