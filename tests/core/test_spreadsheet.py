"""The one CSV writer: what a spreadsheet would run as a formula is written as text."""

import csv
import datetime as dt
import io

import pytest

from tracker.core import spreadsheet


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (2.5, "2.5"),
        (True, "yes"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (dt.datetime(2024, 2, 29, 9, 30, tzinfo=dt.UTC), "2024-02-29T09:30:00+00:00"),
    ],
)
def test_a_cell_is_text_a_spreadsheet_will_not_run(value, written):
    assert spreadsheet.cell(value) == written


def test_the_file_reads_back_row_by_row_with_commas_quotes_and_newlines():
    rows = [[1, 'said "no", then left'], [2, "two\nlines"], [3, "=1+1"]]
    text = spreadsheet.text(["n", "words"], rows)
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["n", "words"],
        ["1", 'said "no", then left'],
        ["2", "two\nlines"],
        ["3", "'=1+1"],
    ]


def test_lines_come_one_row_at_a_time():
    produced = spreadsheet.lines(["a"], iter([["x"], ["y"]]))
    assert next(produced) == "a\r\n"
    assert next(produced) == "x\r\n"
    assert list(produced) == ["y\r\n"]
