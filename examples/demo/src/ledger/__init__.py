"""A tiny double-entry ledger (example project for ve-hooks)."""
