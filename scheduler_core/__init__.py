"""A distributed task scheduler: domain, adapters and services."""
