"""The JSON API (/api/v1/), health probes (/healthz, /readyz) and Prometheus metrics."""
