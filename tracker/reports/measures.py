"""The measures of the delay statistics, computed from plain numbers (no database).

Distributions arrive as histograms, `{value: how many}`: the queries count each value
in SQL (GROUP BY) rather than send one row per proceeding or hearing.

- median: the middle value of the sorted values; with an even number of values, the
  mean of the two middle ones (so it may end in .5). None for no value.
- p90 (and any `percentile`): nearest rank. The p-th percentile of n sorted values is
  the value at rank ceil(p/100 × n) (ranks from 1): the smallest value that at least
  p% of the values do not exceed. Always one of the values. None for no value.
- clearance rate (CEPEJ): resolved / incoming; None when nothing came in.
- disposition time (CEPEJ): pending at the end / resolved × days in the period (365
  for a year, as CEPEJ writes it); None when nothing was resolved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

Histogram = Mapping[int, int]

#: decimals kept in the answers
RATE_DECIMALS = 4
DAYS_DECIMALS = 1
MEAN_DECIMALS = 2


def merged(*histograms: Histogram) -> dict[int, int]:
    """One histogram of the values of several (of several groups)."""
    total: dict[int, int] = {}
    for histogram in histograms:
        for value, count in histogram.items():
            total[value] = total.get(value, 0) + count
    return total


def _at_rank(histogram: Histogram, rank: int) -> int:
    """The value at `rank` (1 = the smallest) of the sorted values."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError(f"rank {rank} is past the {seen} values")


def size(histogram: Histogram) -> int:
    return sum(histogram.values())


def median(histogram: Histogram) -> float | None:
    n = size(histogram)
    if n == 0:
        return None
    low = _at_rank(histogram, (n + 1) // 2)
    high = _at_rank(histogram, n // 2 + 1)
    return (low + high) / 2


def percentile(histogram: Histogram, p: float) -> int | None:
    """The nearest-rank p-th percentile (0 < p ≤ 100)."""
    if not 0 < p <= 100:
        raise ValueError(f"a percentile is above 0 and at most 100, not {p}")
    n = size(histogram)
    if n == 0:
        return None
    return _at_rank(histogram, max(1, math.ceil(p * n / 100)))


def clearance_rate(resolved: int, incoming: int) -> float | None:
    return round(resolved / incoming, RATE_DECIMALS) if incoming else None


def disposition_time(pending_end: int, resolved: int, days: int) -> float | None:
    return round(pending_end / resolved * days, DAYS_DECIMALS) if resolved else None


def mean(histogram: Histogram) -> float | None:
    n = size(histogram)
    if n == 0:
        return None
    return round(sum(value * count for value, count in histogram.items()) / n, MEAN_DECIMALS)


#: hearing date certainty: the number of dates a hearing was set for, 4 and more together
CERTAINTY_BINS = ("1", "2", "3", "4+")


def certainty(dates: Histogram) -> dict[str, int | float | None]:
    """Hearings by the number of dates they were set for (1, 2, 3, 4+), and the mean."""
    bins: dict[str, int | float | None] = dict.fromkeys(CERTAINTY_BINS, 0)
    for value, count in dates.items():
        key = CERTAINTY_BINS[min(value, len(CERTAINTY_BINS)) - 1]
        bins[key] = (bins[key] or 0) + count
    bins["mean"] = mean(dates)
    return bins
