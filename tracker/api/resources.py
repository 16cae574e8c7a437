"""Every API resource module. Each registers its routes on `bp` and describes them in a
module-level `PATHS` dict (OpenAPI path items) that /api/v1/openapi.json merges."""
from tracker.api import (chases, decisions, exemptions, imports, notifications, problems, regime, tasks,
                         units)

MODULES = (chases, decisions, exemptions, imports, notifications, problems, regime, tasks, units)
