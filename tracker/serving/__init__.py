"""Serving and operations: gunicorn, the proxy and static-file wiring, structured logs,
/healthz, backup and restore."""
