"""The staff desk (``/staff/``): the blueprint, with the routes of each job in
its own module."""

from suggestion.staff import case_page  # noqa: F401  (routes)
from suggestion.staff import intake  # noqa: F401  (routes)
from suggestion.staff import queue  # noqa: F401  (routes)
from suggestion.staff.blueprint import bp

__all__ = ["bp"]
