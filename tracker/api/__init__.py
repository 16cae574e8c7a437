"""The JSON API (/api/v1): `blueprint` holds auth and the error shape, one module per
resource registers its routes (`resources` lists them), `openapi` describes them all."""
from tracker.api import openapi, resources  # noqa: F401 - registers the routes on bp
from tracker.api.blueprint import bp

__all__ = ["bp"]
