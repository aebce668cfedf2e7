"""`python -m loyalty abc`: ABC classes of the customers active in a period (Pareto analysis).

Customers are ranked by revenue (or margin); A = customers before whom the cumulative share of the
positive value is below --a-bound (default 80 %), B below --b-bound (95 %), C the rest and every
customer with zero or negative value. Definition: docs/metrics.md, "ABC / Pareto".
"""

from __future__ import annotations

import sys

from loyalty import queries
from loyalty.cli._common import (
    add_dimension_filters,
    add_format,
    add_period,
    add_workspace,
    open_workspace,
    print_json,
    print_table,
)
from loyalty.customer_value import ABC_CLASSES, ABC_MEASURES, DEFAULT_A_BOUND, DEFAULT_B_BOUND, AbcSettings
from loyalty.db import connect

CLASS_COLUMNS = ("customers", "customer_share", "revenue", "revenue_share", "margin", "margin_share", "orders",
                 "avg_order_value", "repeat_rate")



def register(sub) -> None:
    parser = sub.add_parser("abc", help="ABC classes of customers (Pareto)", description=__doc__)
    add_workspace(parser)
    add_period(parser)
    parser.add_argument("--by", choices=ABC_MEASURES, default="revenue", help="rank customers by (default revenue)")
    parser.add_argument("--a-bound", type=float, default=DEFAULT_A_BOUND, metavar="SHARE",
                        help=f"cumulative share that ends class A, as a fraction (default {DEFAULT_A_BOUND})")
    parser.add_argument("--b-bound", type=float, default=DEFAULT_B_BOUND, metavar="SHARE",
                        help=f"cumulative share that ends class B, as a fraction (default {DEFAULT_B_BOUND})")
    add_dimension_filters(parser)
    add_format(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from loyalty.cli import CliError
    from loyalty.cli.kpis import resolve_filters

    try:
        settings = AbcSettings(by=args.by, a_bound=args.a_bound, b_bound=args.b_bound)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    con = connect(open_workspace(args).snapshot())
    filters = resolve_filters(args, con)
    table = queries.run(con, "abc_classes", **settings.params(filters))
    overall = table[~table["by_segment"]].set_index("abc_class")
    if settings.by == "margin":
        missing = int(overall["orders_without_margin"].sum())
        if missing == int(overall["orders"].sum()):
            raise CliError("no order in the period has a margin; import transactions with a margin column "
                           "or use --by revenue")
        if missing:
            print(f"warning: {missing} orders without margin count as margin 0", file=sys.stderr)
    result = {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "by": settings.by,
        "a_bound": settings.a_bound,
        "b_bound": settings.b_bound,
        "customers": int(overall["customers"].sum()),
        "revenue": float(overall["revenue"].sum()),
        "classes": {cls: {col: overall.loc[cls, col] for col in CLASS_COLUMNS} for cls in ABC_CLASSES},
    }
    for values in result["classes"].values():
        values["customers"], values["orders"] = int(values["customers"]), int(values["orders"])
    if args.format == "json":
        print_json(result)
    else:
        print_table(overall.loc[list(ABC_CLASSES), list(CLASS_COLUMNS)].reset_index())
    return 0
