"""Shared test helpers: a real-git repository factory and friends."""
