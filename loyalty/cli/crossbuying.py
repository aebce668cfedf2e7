"""`python -m loyalty crossbuying`: cross-buying rate, categories per customer and the category pair table
(customer level, both directions) for a period (all data when no period is given).

Definitions: docs/metrics.md, section "Cross-buying".
"""

from __future__ import annotations

import argparse

import pandas as pd

from loyalty import crossbuying, queries
from loyalty.cli._common import (
    add_dimension_filters,
    add_format,
    add_period,
    add_workspace,
    open_workspace,
    print_json,
    print_table,
    records,
)
from loyalty.cli.kpis import resolve_filters
from loyalty.db import connect

PAIR_COLUMNS = {"category_a": "a", "category_b": "b", "customers_a": "customers_a", "customers_b": "customers_b",
                "customers_both": "customers_both", "support": "support", "confidence": "confidence", "lift": "lift"}


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, got {text}")
    return value


def register(sub) -> None:
    parser = sub.add_parser("crossbuying", help="cross-buying rate, categories per customer, category pairs",
                            description=__doc__)
    add_workspace(parser)
    add_period(parser)
    add_dimension_filters(parser)
    parser.add_argument("--min-support", type=share, default=0.0, metavar="SHARE",
                        help="only pairs with support >= SHARE, e.g. 0.01 (default: 0 = every pair)")
    add_format(parser)
    parser.set_defaults(func=run)


def crossbuying_result(con, filters, min_support: float = 0.0) -> dict:
    """The command's result as a dict (also usable from Python)."""
    profile = queries.run(con, "crossbuying_breadth", **filters.params())
    rate = crossbuying.summary(profile)
    distribution = crossbuying.distribution(profile)
    pairs = queries.run(con, "crossbuying_pairs", **filters.params())
    pairs = pairs[pairs["support"] >= min_support][list(PAIR_COLUMNS)].rename(columns=PAIR_COLUMNS)
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "active_customers": int(rate["active_customers"]),
        "category_buyers": int(rate["category_buyers"]),
        "cross_buyers": int(rate["cross_buyers"]),
        "cross_buying_rate": rate["cross_buying_rate"],
        "categories_per_customer": {
            "mean": rate["categories_per_customer"],
            "median": rate["median_categories_per_customer"],
            "distribution": records(distribution),
        },
        "pairs": records(pairs),
    }


def run(args) -> int:
    from loyalty.cli import CliError

    ws = open_workspace(args)
    con = connect(ws.snapshot())
    filters = resolve_filters(args, con)
    if queries.run(con, "crossbuying_coverage").iloc[0]["lines_with_category"] == 0:
        raise CliError("the transactions have no category; import them with a column `category` "
                       "(headers such as Warengruppe or Kategorie are mapped to it)")
    result = crossbuying_result(con, filters, args.min_support)
    if args.format == "json":
        print_json(result)
        return 0
    summary = {key: result[key] for key in ("start", "end", "active_customers", "category_buyers", "cross_buyers",
                                            "cross_buying_rate")}
    summary["categories_per_customer"] = result["categories_per_customer"]["mean"]
    summary["median_categories_per_customer"] = result["categories_per_customer"]["median"]
    print_table(pd.DataFrame({"kpi": list(summary), "value": list(summary.values())}))
    print()
    print_table(pd.DataFrame(result["categories_per_customer"]["distribution"]))
    print()
    print_table(pd.DataFrame(result["pairs"], columns=list(PAIR_COLUMNS.values())))
    return 0
