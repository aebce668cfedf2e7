"""`python -m loyalty kpis`: the cockpit KPIs for a period (all data when no period is given)."""

from __future__ import annotations

from loyalty import queries
from loyalty.cli._common import (
    add_dimension_filters,
    add_format,
    add_period,
    add_workspace,
    open_engine,
    print_json,
    print_table,
)
from loyalty.filters import Filters


def register(sub) -> None:
    parser = sub.add_parser("kpis", help="cockpit KPIs for a period", description=__doc__)
    add_workspace(parser)
    add_period(parser)
    add_dimension_filters(parser)
    add_format(parser)
    parser.set_defaults(func=run)


def resolve_filters(args, con) -> Filters:
    """The period from --start/--end, defaulting to the first/last order date in the data.

    `con` is a DuckDB connection or an engine (loyalty.engines)."""
    from loyalty.cli import CliError

    rng = queries.run(con, "data_range").iloc[0]
    if rng["rows"] == 0:
        raise CliError("the workspace has no transactions; import them first")
    start = getattr(args, "start", None) or rng["first_date"].date()
    end = getattr(args, "end", None) or rng["last_date"].date()
    if start > end:
        raise CliError(f"--start {start} is after --end {end}")
    return Filters(start=start, end=end, comparison="no_comparison",
                   segments=tuple(getattr(args, "segment", []) or ()), regions=tuple(getattr(args, "region", []) or ()),
                   channels=tuple(getattr(args, "channel", []) or ()), stores=tuple(getattr(args, "store", []) or ()))


def run(args) -> int:
    engine = open_engine(args)
    filters = resolve_filters(args, engine)
    row = queries.run(engine, "kpis", **filters.params()).iloc[0]
    result = {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "customers": int(row["customers"]),
        "orders": int(row["orders"]),
        "revenue": float(row["revenue"]),
        "repeat_purchase_rate": row["repeat_purchase_rate"],
        "orders_per_customer": row["orders_per_customer"],
        "avg_order_value": row["avg_order_value"],
    }
    if args.format == "json":
        print_json(result)
    else:
        import pandas as pd

        print_table(pd.DataFrame({"kpi": list(result), "value": list(result.values())}))
    return 0
