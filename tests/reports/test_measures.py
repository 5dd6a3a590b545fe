"""The measures, pure: medians, nearest-rank percentiles, CEPEJ ratios, date certainty."""

from __future__ import annotations

import pytest

from tracker.reports import measures


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ({}, None, None),  # no value
        ({7: 1}, 7.0, 7),  # one value
        ({3: 1, 10: 1}, 6.5, 10),  # two: the mean of both; p90 at rank ceil(1.8) = 2
        ({5: 4}, 5.0, 5),  # all tied
        ({1: 1, 2: 2, 9: 1}, 2.0, 9),  # ties in the middle: ranks 2 and 3 are both 2
        ({0: 1, 60: 1, 579: 1}, 60.0, 579),  # odd: the middle one; p90 at rank 3
        (dict.fromkeys(range(1, 11), 1), 5.5, 9),  # 1..10: p90 at rank 9 exactly
        (dict.fromkeys(range(1, 12), 1), 6.0, 10),  # 1..11: rank ceil(9.9) = 10
    ],
)
def test_median_and_nearest_rank_p90(values, median, p90):
    assert measures.median(values) == median
    assert measures.percentile(values, 90) == p90


def test_percentiles_at_the_ends_and_out_of_range():
    values = {4: 1, 8: 1, 15: 1}
    assert measures.percentile(values, 100) == 15
    assert measures.percentile(values, 0.1) == 4  # rank at least 1
    assert measures.percentile(values, 50) == 8
    for wrong in (0, -5, 100.5):
        with pytest.raises(ValueError, match="percentile"):
            measures.percentile(values, wrong)


def test_histograms_merge_by_value():
    assert measures.merged({1: 2, 3: 1}, {3: 4}, {}) == {1: 2, 3: 5}


def test_clearance_rate_and_disposition_time():
    assert measures.clearance_rate(2, 3) == 0.6667
    assert measures.clearance_rate(0, 1) == 0.0
    assert measures.clearance_rate(5, 0) is None  # nothing came in
    assert measures.disposition_time(4, 2, 366) == 732.0
    assert measures.disposition_time(0, 1, 365) == 0.0
    assert measures.disposition_time(3, 0, 365) is None  # nothing resolved
    assert measures.disposition_time(1, 3, 365) == 121.7


def test_certainty_bins_four_and_more_together():
    assert measures.certainty({1: 2, 3: 1, 2: 1, 5: 1}) == {
        "1": 2,
        "2": 1,
        "3": 1,
        "4+": 1,
        "mean": 2.4,
    }
    assert measures.certainty({}) == {"1": 0, "2": 0, "3": 0, "4+": 0, "mean": None}
