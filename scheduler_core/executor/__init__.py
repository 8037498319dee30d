"""The worker pool: a supervisor process that claims tasks and runs them in executor slots."""
