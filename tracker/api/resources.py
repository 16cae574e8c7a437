"""Every API resource module. Each registers its routes on `bp` and describes them in a
module-level `PATHS` dict (OpenAPI path items) that /api/v1/openapi.json merges."""
from tracker.api import decisions, exemptions, notifications, regime, tasks, units

MODULES = (decisions, exemptions, notifications, regime, tasks, units)
