"""Unit tests: fast, in-process, no database."""
