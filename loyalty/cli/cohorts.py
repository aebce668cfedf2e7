"""`python -m loyalty cohorts`: cohort retention (share of each first-purchase cohort that ordered again).

Cohort = month (quarter / ISO week) of a customer's first order ever; --start/--end select the cohorts
whose first order lies in the period (default: all data) and orders after --end do not count. Cell
(cohort, k) = customers with >= --min-orders orders in period k (--retention bracketed) or in period k
or later (unbounded); k = 0 is the whole cohort. Periods that have not ended by --end are left out.
Definition: docs/metrics.md, "Repeat purchase, cohorts and churn".
JSON: a list of {"cohort": "YYYY-MM" | "YYYY-Qn" | "YYYY-Www", "period": k, "customers": n, "share": x}.
"""

from __future__ import annotations

import argparse

from loyalty import i18n, queries
from loyalty.cli._common import (
    add_dimension_filters,
    add_format,
    add_period,
    add_workspace,
    open_workspace,
    print_json,
    print_table,
)
from loyalty.cli.kpis import resolve_filters
from loyalty.db import connect
from loyalty.retention import COHORT_GRAINS, RETENTION_MODES


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def register(sub) -> None:
    parser = sub.add_parser("cohorts", help="cohort retention by first-purchase month/quarter/week",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_workspace(parser)
    parser.add_argument("--grain", choices=COHORT_GRAINS, default="month", help="cohort and period length "
                        "(default month)")
    add_period(parser)
    parser.add_argument("--retention", choices=RETENTION_MODES, default="bracketed",
                        help="bracketed: ordered in period k; unbounded: in period k or later (default bracketed)")
    parser.add_argument("--min-orders", type=positive_int, default=1, metavar="N",
                        help="orders needed to count as retained (default 1)")
    add_dimension_filters(parser)
    add_format(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    ws = open_workspace(args)
    con = connect(ws.snapshot())
    filters = resolve_filters(args, con)
    cells = queries.run(con, "cohort_retention", grain=args.grain, retention=args.retention,
                        min_orders=args.min_orders, **filters.params())
    result = cells[["cohort_label", "period", "customers", "share"]].rename(columns={"cohort_label": "cohort"})
    if args.format == "json":
        print_json([{"cohort": row.cohort, "period": int(row.period), "customers": int(row.customers),
                     "share": float(row.share)} for row in result.itertuples()])
        return 0
    if result.empty:
        print("no customer had a first order in the period")
        return 0
    grid = result.pivot(index="cohort", columns="period", values="share")
    shown = grid.map(lambda share: "" if share != share else i18n.fmt_percent(share, "en"))
    shown.insert(0, "n", result[result["period"] == 0].set_index("cohort")["customers"])
    shown.columns = [str(c) if c == "n" else f"k={c}" for c in shown.columns]
    print_table(shown.reset_index())
    return 0
