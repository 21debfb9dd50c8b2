"""`templating render` (placeholder until the payload/render work lands)."""
from . import main  # noqa: F401
