"""created_after: the DAG and its tips (pure), history replay and backfill."""
