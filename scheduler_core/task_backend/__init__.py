"""The django.tasks integration: the backend, `@task`, results, the registry of runnable tasks.

Application code meets the scheduler here: `@task` defines a task (definition.py), its
`.enqueue()` goes through the backend (backend.py) to the scheduler service, and
`get_result` reads it back as a TaskResult (results.py). The registry (registry.py) is the
services' TaskCatalog: only tasks defined in code can be submitted or run.
"""
