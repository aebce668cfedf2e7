"""`python -m loyalty measures`: effect and economics of every loyalty measure (uplift against the control
group with 95 % intervals, incremental margin, cost, ROI); measures without a control group get the
weaker pre/post comparison against matched non-participants."""

from __future__ import annotations

import argparse

import pandas as pd

from loyalty import queries, uplift
from loyalty.cli._common import add_format, add_workspace, clean_json, open_workspace, print_json, print_table
from loyalty.db import connect


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.3 = 30 %): {value}")
    return value


def register(sub) -> None:
    parser = sub.add_parser("measures", help="uplift, cost and ROI of loyalty measures", description=__doc__)
    add_workspace(parser)
    parser.add_argument("--follow-up-days", type=_non_negative_int, default=uplift.DEFAULT_FOLLOW_UP_DAYS,
                        metavar="N", help="days after the measure end that still count (default: %(default)s)")
    parser.add_argument("--margin-rate", type=_share, default=uplift.DEFAULT_MARGIN_RATE, metavar="R",
                        help="margin as a share of revenue for orders without margin (default: %(default)s)")
    add_format(parser)
    parser.set_defaults(func=run)


def evaluate(con, follow_up_days: int, margin_rate: float) -> dict:
    """The measures report as a JSON-ready dict (also used by tests)."""
    params = {"follow_up_days": follow_up_days, "margin_rate": margin_rate,
              "min_matches": uplift.MIN_STRATUM_MATCHES}
    register_df = queries.run(con, "measure_register")
    stats = queries.run(con, "measure_group_stats", **params)
    strata = queries.run(con, "measure_prepost", **params)
    coverage = queries.run(con, "measure_margin_coverage").iloc[0]
    portfolio = uplift.portfolio_table(register_df, stats, strata).set_index("measure_id")
    uplifts = uplift.uplift_table(stats)
    did = uplift.stratified_did(strata)
    measures = []
    for row in register_df.itertuples(index=False):  # one entry per measure (a handful), not per customer
        entry = portfolio.loc[row.measure_id]
        kpis = {}
        for kpi in uplift.OUTCOME_KPIS:
            found = uplifts[(uplifts["measure_id"] == row.measure_id) & (uplifts["kpi"] == kpi)]
            if found.empty:
                continue
            u = found.iloc[0]
            kpis[kpi] = {"treatment": u["treatment_mean"], "control": u["control_mean"], "uplift": u["uplift"],
                         "ci_low": u["ci_low"], "ci_high": u["ci_high"]}
        item = {
            "measure_id": row.measure_id, "name": row.name, "instrument": row.instrument,
            "start_date": _iso(row.start_date), "end_date": _iso(row.end_date),
            "evidence": entry["evidence"],
            "participants": int(entry["participants"]), "control": int(entry["control"]),
            "uplift": kpis,
            "incremental_margin": entry["incremental_margin"],
            "incremental_margin_ci_low": entry["incremental_margin_low"],
            "incremental_margin_ci_high": entry["incremental_margin_high"],
            "cost": entry["cost"], "roi": entry["roi"], "roi_ci_low": entry["roi_low"],
            "roi_ci_high": entry["roi_high"], "break_even_uplift": entry["break_even_uplift"],
            "payback_weeks": entry["payback_weeks"],
        }
        prepost = did[did["measure_id"] == row.measure_id]
        if not prepost.empty:
            item["pre_post"] = {
                r.kpi: {"participants_before": r.p_pre, "participants_after": r.p_post, "expected_after": r.expected,
                        "effect": r.effect, "ci_low": r.ci_low, "ci_high": r.ci_high}
                for r in prepost.itertuples(index=False)
            }
        measures.append(item)
    return clean_json({
        "follow_up_days": follow_up_days,
        "margin_rate": margin_rate,
        "share_of_orders_with_margin": coverage["share_with_margin"],
        "confidence_level": uplift.LEVEL,
        "measures": measures,
    })


def _iso(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def run(args) -> int:
    from loyalty.cli import CliError

    ws = open_workspace(args)
    snapshot = ws.snapshot()
    if not snapshot.has("transactions"):
        raise CliError("the workspace has no transactions; import them first")
    if not snapshot.has("measures"):
        raise CliError("the workspace has no measures; import them with `python -m loyalty import --table measures FILE`")
    con = connect(snapshot)
    try:
        result = evaluate(con, args.follow_up_days, args.margin_rate)
    finally:
        con.close()
    if args.format == "json":
        print_json(result)
        return 0
    rows = [{"measure_id": m["measure_id"], "name": m["name"], "evidence": m["evidence"],
             "participants": m["participants"], "control": m["control"], "cost": m["cost"],
             "incremental_margin": m["incremental_margin"], "ci_low": m["incremental_margin_ci_low"],
             "ci_high": m["incremental_margin_ci_high"], "roi": m["roi"]} for m in result["measures"]]
    print_table(pd.DataFrame(rows))
    return 0
