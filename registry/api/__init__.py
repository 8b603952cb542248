"""The JSON door: read-only API v1."""
from .views import bp

__all__ = ["bp"]
