"""The cross-buying figure builders on the query results of the hand-made workspace: the heatmap holds
the hand-computed lifts in the right cells, every figure labels both axes, separators follow the language."""

from __future__ import annotations

import math

import pytest

from components import crossbuying_charts as charts
from loyalty import crossbuying, queries
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture


def _axis_titles(fig) -> list[str]:
    layout = fig.to_plotly_json()["layout"]
    return [layout[name]["title"]["text"] for name in layout if name.startswith(("xaxis", "yaxis"))]


def test_heatmap_cells_and_minimum_support(crossbuying_con):  # noqa: F811
    pairs = queries.run(crossbuying_con, "crossbuying_pairs", **Q1.params())
    fig = charts.affinity_heatmap(pairs, "en", "lift")
    heatmap = fig.data[0]
    order = list(heatmap.y)
    assert order == ["Garten", "Deko", "Dünger", "Grill"]  # by buyers (3, 2, 2, 2), then name
    cell = {(a, b): heatmap.z[i][j] for i, a in enumerate(order) for j, b in enumerate(heatmap.x)}
    assert cell[("Garten", "Dünger")] == pytest.approx(1.0)
    assert cell[("Dünger", "Grill")] == pytest.approx(3.0)
    assert cell[("Deko", "Garten")] == 0
    assert all(cell[(c, c)] is None or math.isnan(cell[(c, c)]) for c in order)  # no diagonal
    # support of Garten & Dünger is 1/6: hidden at a minimum support of 20 %, Dünger & Grill (1/3) stays
    hidden = charts.affinity_heatmap(pairs, "en", "confidence", min_support=0.2).data[0]
    kept = {(a, b): hidden.z[i][j] for i, a in enumerate(order) for j, b in enumerate(hidden.x)}
    assert math.isnan(kept[("Garten", "Dünger")]) and kept[("Dünger", "Grill")] == pytest.approx(1.0)


def test_every_figure_labels_its_axes_in_both_languages(crossbuying_con):  # noqa: F811
    params = Q1.params()
    profile = queries.run(crossbuying_con, "crossbuying_breadth", **params)
    groups = crossbuying.by_customer_group(profile, "segment")
    groups["label"] = groups["group_value"]
    migration = queries.run(crossbuying_con, "crossbuying_migration", **params)
    offers = queries.run(crossbuying_con, "crossbuying_next_best", **params)
    for lang in ("de", "en"):
        figures = [
            charts.distribution_chart(crossbuying.distribution(profile), lang),
            charts.breadth_chart(crossbuying.breadth(profile), lang),
            charts.trend_chart(queries.run(crossbuying_con, "crossbuying_trend", grain="month", **params), lang,
                               "month"),
            charts.group_chart(groups, lang, "Segment"),
            charts.affinity_heatmap(queries.run(crossbuying_con, "crossbuying_basket_pairs", **params), lang, "lift"),
            charts.migration_chart(migration[migration["entry_category"] == "Garten"], lang),
            charts.offer_summary_chart(offers, lang),
        ]
        for fig in figures:
            titles = _axis_titles(fig)
            assert len(titles) >= 2 and all(titles), titles
            assert "crossbuying." not in str(titles)  # no missing text key
            assert fig.layout.separators == (",." if lang == "de" else ".,")


def test_labels_of_periods_breadth_and_money():
    assert charts.period_label("2026-07-01", "quarter") == "Q3 2026"
    assert charts.period_label("2026-07-01", "month") == "2026-07"
    assert [charts.breadth_label(n) for n in (1, 2, 3)] == ["1", "2", "3+"]
    assert charts.money("%{y}", "de") == "%{y} €" and charts.money("%{y}", "en") == "€%{y}"


def test_offer_summary_counts_customers_per_recommendation(crossbuying_con):  # noqa: F811
    offers = queries.run(crossbuying_con, "crossbuying_next_best", **Q1.params())
    bars = charts.offer_summary_chart(offers, "en").data[0]
    # P and Q -> Dünger, S -> Garten
    assert dict(zip(bars.y, bars.x)) == {"Dünger": 2, "Garten": 1}
