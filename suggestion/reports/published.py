"""The indicators published to everyone, computed once per fiscal year and
kept (suggestion.core.cache): ``/api/v1/stats`` and ``/stats`` read the same
kept value, so the JSON, the page and its CSV cannot disagree, and a visit to
one costs the other nothing. The throttle that guards it is the views'."""

from __future__ import annotations

from flask import current_app

from suggestion.core.cache import by_cases_version
from suggestion.reports.indicators import fiscal_year_indicators
from suggestion.reports.indicators import ita_figures
from suggestion.reports.indicators import ITA_KINDS
from suggestion.reports.results import PublishedIndicators

# The kept value is a Python object: the key names its shape, so that a
# process of another release never reads an object it does not know.
CACHE_KEY = "stats:published-1:{year}"


def compute(fiscal_year: int) -> PublishedIndicators:
    """The whole agency's indicators of the year (B.E.) and its ITA figures."""
    return PublishedIndicators(
        indicators=fiscal_year_indicators(fiscal_year),
        ita=tuple((kinds[0], ita_figures(fiscal_year, (), kinds)) for kinds in ITA_KINDS),
    )


def published_indicators(fiscal_year: int) -> PublishedIndicators:
    """The year's published indicators, kept until a case changes or
    ``STATS_CACHE_SECONDS`` pass (docs/decisions.md)."""
    return by_cases_version(
        CACHE_KEY.format(year=fiscal_year),
        lambda: compute(fiscal_year),
        timeout=int(current_app.config["STATS_CACHE_SECONDS"]),
    )
