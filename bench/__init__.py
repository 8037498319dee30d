"""`make bench`: the performance workloads W1-W5 on SQLite and PostgreSQL (docs/performance.md)."""
