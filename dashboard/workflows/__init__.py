"""The workflows pages: runs, one run's graph and steps, cancel and retry-failed."""
