"""Cross-cutting guarantees: the core never imports Streamlit, every query file runs, every text has
both languages, formatting follows the language."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import pytest

from loyalty import i18n, queries
from loyalty.filters import Filters, comparison_period, preset_period
from tests.conftest import ROOT

DEFAULTS = dict(Filters(date(2026, 1, 1), date(2026, 3, 31)).params(), grain="month")


def test_core_package_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "loyalty").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert not offenders


@pytest.mark.parametrize("name", queries.names())
def test_every_query_file_runs_on_the_fixture(fixture_con, name):
    query = queries.load(name)
    assert query.doc, f"queries/{name}.sql needs leading -- lines that say what it computes"
    params = {**DEFAULTS, **sample_params(name)}
    missing = query.params - params.keys()
    assert not missing, f"define SAMPLE_PARAMS for {missing} in tests/queries/test_<metric>.py"
    df = queries.run(fixture_con, name, **params)
    assert list(df.columns), name


def sample_params(name: str) -> dict:
    """Each tests/queries/test_<metric>.py may define SAMPLE_PARAMS = {"<query>": {...}} for the query
    parameters beyond the shared filters; they are collected here."""
    import importlib
    import pkgutil

    import tests.queries as package

    merged: dict = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"tests.queries.{info.name}")
        merged.update(getattr(module, "SAMPLE_PARAMS", {}).get(name, {}))
    return merged


def test_runner_binds_parameters_and_rejects_missing(fixture_con):
    with pytest.raises(TypeError, match="needs parameter"):
        queries.run(fixture_con, "kpis", start=date(2026, 1, 1))
    source = inspect.getsource(queries.run)
    assert "execute(query.sql, {" in source  # values are bound, never formatted into SQL


def test_every_text_has_german_and_english():
    incomplete = [k for k, v in i18n.catalog().items() if not (v.get("de") and v.get("en"))]
    assert not incomplete


def test_every_text_key_used_in_code_exists():
    import re

    keys = set(i18n.catalog())
    pattern = re.compile(r"""\.t\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']|\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    missing = set()
    for folder in ("app.py", "pages", "components", "loyalty"):
        for path in [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                key = match.group(1) or match.group(2)
                if key not in keys:
                    missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, sorted(missing)


def test_number_and_date_formats_follow_language():
    assert i18n.fmt_money(1234567.5, "de", 2) == "1.234.567,50 €"
    assert i18n.fmt_money(1234567.5, "en", 2) == "€1,234,567.50"
    assert i18n.fmt_money(-12.5, "en", 2) == "-€12.50"
    assert i18n.fmt_percent(0.125, "de") == "12,5 %"
    assert i18n.fmt_percent(0.125, "en") == "12.5%"
    assert i18n.fmt_points(0.031, "de") == "+3,1 Pp."
    assert i18n.fmt_date(date(2026, 1, 31), "de") == "31.01.2026"
    assert i18n.fmt_date(date(2026, 1, 31), "en") == "2026-01-31"
    assert i18n.fmt_number(float("nan"), "de") == "–"
    assert i18n.t("no.such.key", "de") == "no.such.key"


def test_period_presets_and_comparisons():
    first, last = date(2024, 1, 1), date(2026, 10, 31)
    assert preset_period("last_12_months", first, last) == (date(2025, 11, 1), last)
    assert preset_period("this_year", first, last) == (date(2026, 1, 1), last)
    assert preset_period("previous_year", first, last) == (date(2025, 1, 1), date(2025, 12, 31))
    assert preset_period("last_quarter", first, last) == (date(2026, 7, 1), date(2026, 9, 30))
    assert preset_period("last_quarter", first, date(2026, 9, 30)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert preset_period("all_data", first, last) == (first, last)
    assert comparison_period(date(2026, 1, 1), date(2026, 3, 31), "previous_period") == \
        (date(2025, 10, 3), date(2025, 12, 31))
    assert comparison_period(date(2024, 2, 29), date(2024, 12, 31), "last_year") == \
        (date(2023, 2, 28), date(2023, 12, 31))
    assert comparison_period(date(2026, 1, 1), date(2026, 3, 31), "no_comparison") is None


def test_kpi_delta_hides_changes_that_round_to_zero():
    from components.kpi import KpiSpec, format_delta

    rate, count = KpiSpec("repeat_purchase_rate", "percent", 1), KpiSpec("orders", "count")
    assert format_delta(0.6231, 0.6233, rate, "de") is None
    assert format_delta(0.65, 0.62, rate, "de") == "+3,0 Pp."
    assert format_delta(10000, 10001, count, "en") is None
    assert format_delta(110, 100, count, "en") == "+10.0%"
    assert format_delta(90, 100, count, "de") == "-10,0 %"
