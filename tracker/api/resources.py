"""Every API resource module. Each registers its routes on `bp` and describes them in a
module-level `PATHS` dict (OpenAPI path items) that /api/v1/openapi.json merges."""
# Import as `from tracker.api import name`: openapi.json finds the modules imported here.
from tracker.api import decisions, notifications, openapi, regime, tasks, units  # noqa: F401
