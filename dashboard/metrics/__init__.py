"""Per task name and per queue metrics pages, read from the rollup (docs/metrics.md)."""
