"""Tests of scheduler_core.domain, which need nothing but the standard library."""
