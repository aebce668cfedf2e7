"""Number, date and yes/no formats: detection from values, and the Python and DuckDB parsers agree."""

from datetime import date

import duckdb
import pytest

from loyalty.contract import get_table
from loyalty.importing.formats import (
    allowed_value_map,
    detect_bool_style,
    detect_column,
    detect_date_format,
    detect_decimal,
    norm_value,
    normalize_date_format,
    parse_bool,
    parse_date,
    parse_number,
    sql_allowed_parse,
    sql_bool_parse,
    sql_date_stages,
    sql_number_stages,
    sql_str,
    sql_trim,
)


def run_stages(stages: list[str], values: list[str | None]):
    """Apply SQL stages to values (trimmed like the importer does) and return the results in order."""
    con = duckdb.connect()
    rows = ", ".join(f"({i}, {sql_str(v) if v is not None else 'null'})" for i, v in enumerate(values))
    sql = f"select i, {sql_trim('v')} as x0 from (values {rows}) t(i, v)"
    for k, stage in enumerate(stages):
        sql = f"select i, {stage.replace('{x}', f'x{k}')} as x{k + 1} from ({sql})"
    out = con.execute(f"select x{len(stages)} from ({sql}) order by i").fetchall()
    con.close()
    return [r[0] for r in out]


COMMA_CASES = [
    ("1.234,56", 1234.56), ("-12,50", -12.5), ("12,50 €", 12.5), ("EUR 1.000,00", 1000.0), ("1234,5", 1234.5),
    ("1 234,5", 1234.5), ("12,50-", -12.5), ("(3,20)", -3.2), ("7", 7.0), ("0,5", 0.5), ("1.234.567,89", 1234567.89),
    ("12 %", 12.0), ("\u00a012,00\u00a0", 12.0), ("1.234", 1234.0), ("abc", None), ("1,2,3", None), ("12.5", None),
    ("1.23,4", None), ("", None), (None, None), ("nan", None), ("inf", None),
]
POINT_CASES = [
    ("1,234.56", 1234.56), ("1234.5", 1234.5), ("-12.50", -12.5), ("$1,000", 1000.0), ("99.90 USD", 99.9),
    ("1.5e3", 1500.0), (".5", 0.5), ("1,234", 1234.0), ("12,5", None), ("1,23.4", None), ("x1", None),
    ("1'234.50", 1234.5), ("£ 12.00", 12.0), ("CHF 1’000.00", 1000.0), ("1\u202f000.5", 1000.5), ("−3.5", -3.5),
]


@pytest.mark.parametrize("text,expected", COMMA_CASES)
def test_parse_number_decimal_comma(text, expected):
    assert parse_number(text, ",") == expected


@pytest.mark.parametrize("text,expected", POINT_CASES)
def test_parse_number_decimal_point(text, expected):
    assert parse_number(text, ".") == expected


def test_sql_number_parsing_matches_python():
    for decimal, cases in ((",", COMMA_CASES), (".", POINT_CASES)):
        values = [t for t, _ in cases]
        got = run_stages(sql_number_stages(decimal), values)
        got = [g if g is None or abs(g) != float("inf") and g == g else None for g in got]  # caller rejects inf/nan
        assert got == [e for _, e in cases], decimal


def test_detect_decimal_from_the_values():
    assert detect_decimal(["1.234,56", "12,50", "7"]).decimal == ","
    assert detect_decimal(["1,234.56", "12.5"]).decimal == "."
    german = detect_decimal(["1.234,56", "-12,50"])
    assert german.thousands and german.comma_votes == 2
    assert detect_decimal(["1.234.567"]).decimal == ","  # repeated dots are thousands separators
    assert detect_decimal(["12", "7"]) .decimal is None and not detect_decimal(["12"]).ambiguous
    ambiguous = detect_decimal(["1.234", "2.500"])  # thousands dot or three decimals?
    assert ambiguous.ambiguous and ambiguous.decimal is None
    assert detect_decimal(["0.125"]).decimal == "."  # a leading zero is never a thousands group


def test_detect_number_column_reports_ambiguity_and_user_choice():
    revenue = get_table("transactions").column("revenue")
    fmt = detect_column("transactions", revenue, "Umsatz", ["1.234", "5.000"])
    assert fmt.ambiguous and fmt.options == (",", ".") and fmt.examples[0] == "1.234"
    chosen = detect_column("transactions", revenue, "Umsatz", ["1.234"], decimal=",")
    assert chosen.decimal == "," and chosen.decided_by == "user" and not chosen.ambiguous
    typed = detect_column("transactions", revenue, "Umsatz", ["1.234"], native="number")
    assert typed.decimal == "." and typed.decided_by == "file"


DATE_CASES = [
    ("31.01.2026", "%d.%m.%Y", date(2026, 1, 31)),
    ("1.2.2026", "%d.%m.%Y", date(2026, 2, 1)),
    ("31.01.2026 14:35", "%d.%m.%Y", date(2026, 1, 31)),
    ("31.01.2026 14:35:59", "%d.%m.%Y", date(2026, 1, 31)),
    ("31.02.2026", "%d.%m.%Y", None),
    ("31.01.26", "%d.%m.%y", date(2026, 1, 31)),
    ("2026-01-31", "%Y-%m-%d", date(2026, 1, 31)),
    ("2026-01-31T14:35:00", "%Y-%m-%d", date(2026, 1, 31)),
    ("2026-01-31T23:30:00+01:00", "%Y-%m-%d", date(2026, 1, 31)),
    ("2026-01-31 08:00:00.123", "%Y-%m-%d", date(2026, 1, 31)),
    ("01/31/2026", "%m/%d/%Y", date(2026, 1, 31)),
    ("01/31/2026", "%d/%m/%Y", None),
    ("20260131", "%Y%m%d", date(2026, 1, 31)),
    ("20260231", "%Y%m%d", None),
    ("2026-02-29", "%Y-%m-%d", None),
    ("2028-02-29", "%Y-%m-%d", date(2028, 2, 29)),
    ("0026-01-31", "%Y-%m-%d", None),  # outside 1900-2100
    ("morgen", "%d.%m.%Y", None),
    ("31.01.2026 abends", "%d.%m.%Y", None),
]


@pytest.mark.parametrize("text,fmt,expected", DATE_CASES)
def test_parse_date(text, fmt, expected):
    assert parse_date(text, fmt) == expected


def test_sql_date_parsing_matches_python():
    for text, fmt, expected in DATE_CASES:
        got = run_stages(sql_date_stages(fmt), [text])[0]
        if got is not None and not 1900 <= got.year <= 2100:
            got = None  # the importer rejects these with 'date outside the years 1900-2100'
        assert got == expected, (text, fmt)


def test_detect_date_formats():
    assert detect_date_format(["31.01.2026", "01.02.2026"]).format == "%d.%m.%Y"
    assert detect_date_format(["2026-01-31", "2026-02-01"]).format == "%Y-%m-%d"
    assert detect_date_format(["01/31/2026", "02/01/2026"]).format == "%m/%d/%Y"  # 31 cannot be a month
    assert detect_date_format(["13/01/2026", "01/02/2026"]).format == "%d/%m/%Y"
    assert detect_date_format(["20260131"]).format == "%Y%m%d"
    with_time = detect_date_format(["31.01.2026 14:35", "01.02.2026 08:00"])
    assert with_time.format == "%d.%m.%Y" and with_time.has_time
    assert detect_date_format(["2026-01-31T14:35:00"]).has_time
    one_bad = detect_date_format(["31.01.2026", "31.02.2026"])  # an impossible date does not change the format
    assert one_bad.format == "%d.%m.%Y" and one_bad.matched == 1 and one_bad.total == 2
    assert detect_date_format([None, ""]).format is None
    assert detect_date_format(["01/01/2026"]).format is not None  # day = month: both readings agree


def test_ambiguous_dates_are_not_guessed():
    guess = detect_date_format(["01/02/2026", "03/04/2026", "12/11/2026"])
    assert guess.ambiguous and guess.format is None
    assert set(guess.options) == {"%d/%m/%Y", "%m/%d/%Y"} and guess.example == "01/02/2026"
    column = get_table("transactions").column("order_date")
    fmt = detect_column("transactions", column, "Datum", ["01/02/2026"])
    assert fmt.ambiguous and "ambiguous" in fmt.describe()
    chosen = detect_column("transactions", column, "Datum", ["01/02/2026"], date_format="dd/mm/yyyy")
    assert chosen.date_format == "%d/%m/%Y" and chosen.decided_by == "user"


def test_normalize_date_format():
    assert normalize_date_format("DD.MM.YYYY") == "%d.%m.%Y"
    assert normalize_date_format("mm/dd/yyyy") == "%m/%d/%Y"
    assert normalize_date_format("%d/%m/%Y") == "%d/%m/%Y"
    with pytest.raises(ValueError, match="unknown date format"):
        normalize_date_format("day first")


BOOL_CASES = [("ja", True), ("Nein", False), ("yes", True), ("NO", False), ("true", True), ("FALSCH", False),
              ("WAHR", True), ("1", True), ("0", False), ("x", True), ("X", True), ("vielleicht", None), (None, None)]


def test_booleans_python_and_sql():
    for text, expected in BOOL_CASES:
        assert parse_bool(text) is expected
    got = run_stages([sql_bool_parse("{x}", False)], [t for t, _ in BOOL_CASES])
    assert got == [e for _, e in BOOL_CASES]
    assert run_stages([sql_bool_parse("{x}", True)], ["x", None, "  "]) == [True, False, False]
    assert detect_bool_style(["x", "X", None]) == ("x/empty", True)
    assert detect_bool_style(["ja", "nein"]) == ("ja/nein", False)


def test_allowed_values_and_synonyms():
    group = allowed_value_map("measure_participants", "group", ("treatment", "control"))
    assert group[norm_value("Test")] == "treatment" and group[norm_value("Kontrollgruppe")] == "control"
    got = run_stages([sql_allowed_parse("{x}", group)], ["Test", "Kontrolle", " CONTROL ", "Treatment", "foo"])
    assert got == ["treatment", "control", "control", "treatment", None]
    points = allowed_value_map("points", "type", ("earn", "redeem", "expire"))
    assert run_stages([sql_allowed_parse("{x}", points)], ["Einlösung", "Verfall", "Gutschrift"]) == [
        "redeem", "expire", "earn"]
    instruments = allowed_value_map("measures", "instrument", get_table("measures").column("instrument").allowed)
    assert run_stages([sql_allowed_parse("{x}", instruments)], ["Bonus Program", "Kundenkarte", "Maßnahme"]) == [
        "bonus_program", "customer_card", None]


def test_trim_handles_tabs_and_no_break_spaces():
    assert run_stages(["{x}"], [" a ", "\tb\u00a0", "   ", "c"]) == ["a", "b", None, "c"]
