"""The contract suite: every adapter of the storage ports passes these same tests."""
