"""Chaos and soak runs of the scheduler, with an invariant checker over what they leave behind.

See docs/reliability.md. Nothing here is imported by the scheduler itself.
"""
