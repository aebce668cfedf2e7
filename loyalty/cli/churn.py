"""`python -m loyalty churn`: the customers at risk on an as-of date, for a win-back campaign.

Customers are at risk when their last order is more than --at-risk-days and at most --threshold-days
ago (inactive beyond that). Defaults: the 75th and 90th percentile of the inter-purchase time (days
between consecutive orders) in the 12 months up to the as-of date, in whole days. --as-of defaults to the
last order date in the data. Definition: docs/metrics.md, "Repeat purchase, cohorts and churn".
Output (CSV or JSON list): customer_id, segment, region, last_order_date, days_since_last_order,
days_overdue, orders, revenue_last_12_months, revenue; the thresholds used go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from loyalty import queries
from loyalty.cli._common import (
    add_dimension_filters,
    add_format,
    add_workspace,
    open_workspace,
    parse_date,
    print_json,
    records,
)
from loyalty.cli.kpis import resolve_filters
from loyalty.db import connect
from loyalty.retention import ThresholdUnavailable, churn_params, derive_thresholds, threshold_basis


def days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more days: {text!r}")
    return value


def register(sub) -> None:
    parser = sub.add_parser("churn", help="customers at risk of churning (win-back list)", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_workspace(parser)
    parser.add_argument("--as-of", type=parse_date, metavar="YYYY-MM-DD",
                        help="reference date (default: last order date in the data)")
    parser.add_argument("--threshold-days", type=days, metavar="N",
                        help="inactive after more than N days without an order (default: 90th percentile)")
    parser.add_argument("--at-risk-days", type=days, metavar="N",
                        help="at risk after more than N days without an order (default: 75th percentile)")
    add_dimension_filters(parser)
    add_format(parser, choices=("csv", "json"), default="csv")
    parser.set_defaults(func=run)


def run(args) -> int:
    from loyalty.cli import CliError

    ws = open_workspace(args)
    con = connect(ws.snapshot())
    filters = resolve_filters(args, con)  # the whole data range; only the dimension filters matter here
    as_of = args.as_of or filters.end
    basis = queries.run(con, "inter_purchase_stats", **threshold_basis(filters, as_of).params())
    try:
        thresholds = derive_thresholds(basis, args.at_risk_days, args.threshold_days)
    except ThresholdUnavailable as exc:
        raise CliError(f"{exc}: pass --threshold-days and --at-risk-days") from None
    at_risk = queries.run(con, "churn_at_risk_customers", **churn_params(filters, as_of, thresholds))
    def origin(given, percentile: str) -> str:
        return "given" if given is not None else \
            f"{percentile} percentile of {thresholds.basis_gaps} inter-purchase gaps in the 12 months up to it"

    print(f"as of {as_of}: at risk after {thresholds.at_risk_after_days} days "
          f"({origin(args.at_risk_days, '75th')}), inactive after {thresholds.inactive_after_days} days "
          f"({origin(args.threshold_days, '90th')}); {len(at_risk)} customers at risk, revenue at risk "
          f"(last 12 months) {at_risk['revenue_last_12_months'].sum():.2f}", file=sys.stderr)
    at_risk["last_order_date"] = at_risk["last_order_date"].dt.date
    if args.format == "json":
        print_json(records(at_risk))
    else:
        sys.stdout.write(at_risk.to_csv(index=False))
    return 0
