"""`python -m loyalty nps`: Net Promoter Score with its 95 % confidence interval, in total or per group.

Per group: n (answers with an nps), promoters (9-10), passives (7-8), detractors (0-6), nps (-100..100),
ci_low, ci_high (docs/metrics.md#net-promoter-score). The period defaults to all survey answers.
"""

from __future__ import annotations

from loyalty import queries, stats
from loyalty.cli._common import add_format, add_period, add_workspace, open_workspace, print_json, print_table, records
from loyalty.db import connect
from loyalty.filters import Filters

GROUPINGS = ("total", "touchpoint", "segment", "region", "channel", "month", "quarter")


def register(sub) -> None:
    parser = sub.add_parser("nps", help="Net Promoter Score with confidence interval", description=__doc__)
    add_workspace(parser)
    add_period(parser)
    parser.add_argument("--by", choices=GROUPINGS, default="total",
                        help="one row per touchpoint, segment, region, channel (of the purchase the answer "
                             "refers to), month or quarter (default: total)")
    parser.add_argument("--segment", action="append", default=[], help="only this customer segment (repeatable)")
    parser.add_argument("--region", action="append", default=[], help="only this region (repeatable)")
    parser.add_argument("--channel", action="append", default=[], help="only answers after a purchase in this "
                                                                     "channel (repeatable)")
    parser.add_argument("--store", action="append", default=[], help="only answers after a purchase in this store "
                                                                   "(repeatable)")
    parser.add_argument("--confidence", type=float, default=stats.CONFIDENCE,
                        help="confidence level of the interval (default: 0.95)")
    add_format(parser)
    parser.set_defaults(func=run)


def resolve_filters(args, con) -> Filters:
    """The period from --start/--end, defaulting to the first/last survey answer."""
    from loyalty.cli import CliError

    rng = queries.run(con, "survey_range").iloc[0]
    if rng["answers"] == 0:
        raise CliError("the workspace has no survey answers (table surveys); import them first")
    start = args.start or rng["first_date"].date()
    end = args.end or rng["last_date"].date()
    if start > end:
        raise CliError(f"--start {start} is after --end {end}")
    return Filters(start=start, end=end, comparison="no_comparison", segments=tuple(args.segment),
                   regions=tuple(args.region), channels=tuple(args.channel), stores=tuple(args.store))


def run(args) -> int:
    from loyalty.cli import CliError

    if not 0 < args.confidence < 1:
        raise CliError(f"--confidence must be between 0 and 1, got {args.confidence}")
    ws = open_workspace(args)
    con = connect(ws.snapshot())
    filters = resolve_filters(args, con)
    counts = queries.run(con, "nps_by_group", by=args.by, **filters.params())
    nps, low, high = stats.nps_interval(counts["promoters"], counts["detractors"], counts["n"], args.confidence)
    table = counts.assign(nps=nps, ci_low=low, ci_high=high).rename(columns={"grp": "group"})
    columns = ["group", "n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high"]
    if args.by in ("month", "quarter"):
        table["period_start"] = table["period"].dt.date
        columns.insert(1, "period_start")
    table = table[columns]
    if args.format == "json":
        print_json({"start": filters.start.isoformat(), "end": filters.end.isoformat(), "by": args.by,
                    "confidence": args.confidence, "groups": records(table)})
    else:
        print_table(table.round({"nps": 1, "ci_low": 1, "ci_high": 1}))
    return 0
