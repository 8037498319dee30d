"""Example tasks to watch the scheduler work: quick, slow, flaky, failing, async."""
