"""One validation run: the engine (read -> parse -> check), its whole-run cache, and the two
filters that let a repository with findings adopt ve-hooks (suppressions, new-from-rev)."""
