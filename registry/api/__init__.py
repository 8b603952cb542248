"""The JSON door: read-only API v1."""
from . import changes  # noqa: F401 - registers GET /api/v1/agencies on the blueprint
from .views import bp

__all__ = ["bp"]
