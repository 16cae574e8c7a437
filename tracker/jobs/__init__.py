"""Scheduled jobs: one registry, one run wrapper, the `run-job` and `scheduler` commands."""
