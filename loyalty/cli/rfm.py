"""`python -m loyalty rfm`: RFM segments of the customers active in a period.

Recency = days from the last order to the period end, frequency = orders, monetary = revenue in the
period; scores 1-5 by quintiles (default) or by --*-cuts; segments from the R x F map in
docs/metrics.md, "RFM".
"""

from __future__ import annotations

import argparse

from loyalty import queries
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
from loyalty.customer_value import (
    DEFAULT_FREQUENCY_CUTS,
    DEFAULT_MONETARY_CUTS,
    DEFAULT_RECENCY_CUTS,
    RfmScoring,
    rfm_params,
)
from loyalty.db import connect


def _cuts(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None


def _join(values) -> str:
    return ",".join(f"{v:g}" for v in values)


def register(sub) -> None:
    parser = sub.add_parser("rfm", help="RFM segments of customers", description=__doc__)
    add_workspace(parser)
    add_period(parser)
    parser.add_argument("--recency-cuts", type=_cuts, metavar="D1,D2,D3,D4",
                        help=f"score by cut points instead of quintiles: days for R5..R2 (e.g. {_join(DEFAULT_RECENCY_CUTS)})")
    parser.add_argument("--frequency-cuts", type=_cuts, metavar="F1,F2,F3,F4",
                        help=f"orders from which F is 2..5 (default with cut points {_join(DEFAULT_FREQUENCY_CUTS)})")
    parser.add_argument("--monetary-cuts", type=_cuts, metavar="M1,M2,M3,M4",
                        help=f"revenue from which M is 2..5 (default with cut points {_join(DEFAULT_MONETARY_CUTS)})")
    add_dimension_filters(parser)
    add_format(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from loyalty.cli import CliError
    from loyalty.cli.kpis import resolve_filters

    cut_points = any(v is not None for v in (args.recency_cuts, args.frequency_cuts, args.monetary_cuts))
    try:
        scoring = RfmScoring("cut_points" if cut_points else "quantiles",
                             recency_cuts=args.recency_cuts or DEFAULT_RECENCY_CUTS,
                             frequency_cuts=args.frequency_cuts or DEFAULT_FREQUENCY_CUTS,
                             monetary_cuts=args.monetary_cuts or DEFAULT_MONETARY_CUTS)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    con = connect(open_workspace(args).snapshot())
    filters = resolve_filters(args, con)
    segments = queries.run(con, "rfm_segments", **rfm_params(filters, scoring))
    if args.format == "json":
        print_json({"start": filters.start.isoformat(), "end": filters.end.isoformat(), "score_method": scoring.method,
                    "customers": int(segments["customers"].sum()), "segments": records(segments)})
    else:
        print_table(segments)
    return 0
