"""`python -m loyalty clv`: customer lifetime value with BG/NBD (purchases, P(alive)) and Gamma-Gamma
(spend per purchase), fitted by maximum likelihood on the purchases up to --calibration-end.

Prints the model parameters (with 95 % intervals), the holdout check (actual vs predicted purchases
after the calibration end by calibration frequency) and the forecast for the next --horizon months
from the data end. Definition: docs/metrics.md, "Customer lifetime value".
"""

from __future__ import annotations

from loyalty import clv
from loyalty.cli._common import (
    add_format,
    add_workspace,
    open_workspace,
    parse_date,
    print_json,
    print_table,
    records,
)
from loyalty.customer_value import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_UNIT,
    UNITS,
    ClvSettings,
    clv_totals,
    data_range,
    default_calibration_end,
    fit_clv,
)
from loyalty.db import connect

TOP_COLUMNS = ["customer_id", "purchases", "last_purchase", "p_alive", "expected_purchases", "expected_spend", "clv"]


def register(sub) -> None:
    parser = sub.add_parser("clv", help="customer lifetime value (BG/NBD + Gamma-Gamma)", description=__doc__)
    add_workspace(parser)
    parser.add_argument("--calibration-end", type=parse_date, metavar="YYYY-MM-DD",
                        help="last day of the calibration period (default: 12 months before the data end)")
    parser.add_argument("--unit", choices=UNITS, default=DEFAULT_UNIT, help=f"time unit of the model (default {DEFAULT_UNIT})")
    parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON_MONTHS, metavar="MONTHS",
                        help=f"forecast horizon in months (default {DEFAULT_HORIZON_MONTHS})")
    parser.add_argument("--discount-rate", type=float, default=DEFAULT_DISCOUNT_RATE, metavar="RATE",
                        help=f"annual discount rate as a fraction (default {DEFAULT_DISCOUNT_RATE})")
    parser.add_argument("--margin-rate", type=float, default=1.0, metavar="RATE",
                        help="share of revenue that is margin, as a fraction (default 1 = value in revenue)")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="list the N customers of highest value (default 10)")
    add_format(parser)
    parser.set_defaults(func=run)


def _parameters(model) -> dict:
    table = model.parameters().set_index("parameter")
    return {name: {"estimate": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]}
            for name, row in table.iterrows()}


def run(args) -> int:
    from loyalty.cli import CliError

    con = connect(open_workspace(args).snapshot())
    bounds = data_range(con)
    if bounds is None:
        raise CliError("the workspace has no transactions; import them first")
    calibration_end = args.calibration_end or default_calibration_end(*bounds)
    try:
        settings = ClvSettings(calibration_end, args.unit, args.horizon, args.discount_rate, args.margin_rate)
        result = fit_clv(con, settings)
    except clv.ModelError as exc:
        raise CliError(f"the model cannot be fitted: {exc}") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    bgnbd, spend = result.bgnbd, result.gamma_gamma
    top = result.customers.nlargest(max(args.top, 0), "clv")[TOP_COLUMNS]
    output = {
        "calibration_end": settings.calibration_end.isoformat(),
        "data_end": result.data_end.isoformat(),
        "unit": settings.unit,
        "customers": result.calibration_customers,
        "repeat_customers": result.calibration_repeat_customers,
        "bgnbd": {"r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b,
                  "log_likelihood": bgnbd.log_likelihood, "intervals_95": _parameters(bgnbd)},
        "gamma_gamma": {"p": spend.p, "q": spend.q, "v": spend.v, "log_likelihood": spend.log_likelihood,
                        "customers": spend.n_customers, "mean_spend": spend.mean_spend,
                        "frequency_spend_correlation": spend.frequency_spend_correlation,
                        "intervals_95": _parameters(spend)},
        "holdout_by_frequency": records(result.by_frequency),
        "forecast": {"horizon_months": settings.horizon_months, "annual_discount_rate": settings.annual_discount_rate,
                     "margin_rate": settings.margin_rate, **clv_totals(result.customers)},
        "top_customers": records(top),
    }
    if args.format == "json":
        print_json(output)
        return 0
    print(f"calibration {bounds[0]} .. {settings.calibration_end}, holdout to {result.data_end}, unit {settings.unit}; "
          f"{result.calibration_customers} customers, {result.calibration_repeat_customers} with repeat purchases")
    print(f"\nBG/NBD (log-likelihood {bgnbd.log_likelihood:.1f})")
    print_table(bgnbd.parameters())
    print(f"\nGamma-Gamma (log-likelihood {spend.log_likelihood:.1f})")
    print_table(spend.parameters())
    print("\nholdout: mean purchases after the calibration end by calibration frequency")
    print_table(result.by_frequency)
    print(f"\nforecast for the next {settings.horizon_months} months from {result.data_end}")
    print_table(top)
    return 0
