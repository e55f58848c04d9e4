# Chunk: docs/chunks/csv_import
# Subsystem: docs/subsystems/persistence
"""CSV import."""

import csv


def import_csv(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
