"""A real editor: Neovim (Debian package ``neovim``) headless, its built-in LSP client started on
``python -m ve_hooks.lsp``, opens a GOAL.md with a wrong status and prints the diagnostics it
received. Skips, saying why, where nvim is not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .lsp_support import goal, make_repo

pytest.importorskip("pygls", reason="the [lsp] extra (pygls) is not installed")

# Neovim 0.7 (Debian bookworm) has no vim.lsp.start yet: start_client + buf_attach_client.
INIT_LUA = r"""
local out = assert(io.open(os.getenv("VE_NVIM_OUT"), "w"))
local root = os.getenv("VE_NVIM_ROOT")
local id = vim.lsp.start_client({
  name = "ve-hooks",
  cmd = vim.fn.json_decode(os.getenv("VE_NVIM_CMD")),
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = "repo" } },
})
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("VE_NVIM_FILE")))
vim.lsp.buf_attach_client(0, id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
if not ok then out:write("no diagnostics within 30 s\n") end
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  local href = (lsp.codeDescription or {}).href or ""
  out:write(string.format("%s:%d:%d: %s %s [%s]\n", vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":."),
    d.lnum + 1, d.col + 1, lsp.code or d.code or "?", d.message:gsub("\n", " | "), href))
end
out:close()
vim.lsp.stop_client(id)
vim.cmd("qa!")
"""


def test_neovim_receives_the_wrong_status(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("nvim is not installed (Debian: apt-get install -y neovim); the real-editor test needs it")
    r = make_repo(tmp_path / "repo")
    rel = "docs/chunks/gamma/GOAL.md"
    r.write(rel, goal("DONE", ["beta"]))
    script = tmp_path / "init.lua"
    script.write_text(INIT_LUA)
    out = tmp_path / "diagnostics.txt"
    env = {**os.environ, "VE_NVIM_OUT": str(out), "VE_NVIM_ROOT": str(r.path), "VE_NVIM_FILE": str(r.path / rel),
           "VE_NVIM_CMD": json.dumps([sys.executable, "-m", "ve_hooks.lsp"]), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run([nvim, "--headless", "--clean", "-u", "NONE", "-c", f"luafile {script}"], cwd=r.path,
                          env=env, capture_output=True, text=True, timeout=120)
    received = out.read_text() if out.exists() else ""
    print(f"nvim {proc.returncode}; diagnostics Neovim received:\n{received}{proc.stderr}")
    assert "VE201" in received, received + proc.stdout + proc.stderr
    assert f"{rel}:2:1: VE201 invalid status 'DONE'" in received
    assert "docs/rules/VE201.md" in received
