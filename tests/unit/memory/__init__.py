"""Tests of the in-memory adapters beyond the contract suite: clocks, heaps, copies, threads."""
