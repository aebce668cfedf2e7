"""What an analyst would write by hand in pandas: cockpit KPIs, the monthly cohort table and the
cross-buying pair table, following docs/metrics.md. The benchmark checks these give the same numbers
as the SQL files and reports the speed ratio."""

from __future__ import annotations

from datetime import date

import pandas as pd


def load_transactions(files: list[str]) -> pd.DataFrame:
    columns = ["customer_id", "order_date", "revenue", "order_id", "category"]
    df = pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
    df["order_date"] = pd.to_datetime(df["order_date"])
    return df


def orders(tx: pd.DataFrame) -> pd.DataFrame:
    key = tx["order_id"].fillna(tx["customer_id"] + "|" + tx["order_date"].dt.strftime("%Y-%m-%d"))
    return (tx.assign(order_key=key)
              .groupby("order_key", sort=False)
              .agg(customer_id=("customer_id", "first"), order_date=("order_date", "min"), revenue=("revenue", "sum"))
              .reset_index())


def kpis(tx: pd.DataFrame, start: date, end: date) -> dict:
    o = orders(tx)
    o = o[(o["order_date"] >= pd.Timestamp(start)) & (o["order_date"] <= pd.Timestamp(end))]
    per_customer = o.groupby("customer_id").agg(orders=("order_key", "size"), revenue=("revenue", "sum"))
    customers = len(per_customer)
    n_orders = int(per_customer["orders"].sum())
    revenue = float(per_customer["revenue"].sum())
    return {
        "customers": customers,
        "orders": n_orders,
        "revenue": revenue,
        "avg_order_value": revenue / n_orders,
        "repeat_purchase_rate": (per_customer["orders"] >= 2).sum() / customers,
        "orders_per_customer": n_orders / customers,
    }


def cohort_table(tx: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Monthly cohorts of first orders in [start, end]; share of the cohort with >= 1 order in month k."""
    o = orders(tx)
    o = o[o["order_date"] <= pd.Timestamp(end)]
    first = o.groupby("customer_id")["order_date"].min().rename("first_order")
    members = first[(first >= pd.Timestamp(start)) & (first <= pd.Timestamp(end))]
    o = o[o["customer_id"].isin(members.index)].join(members, on="customer_id")
    cohort = o["first_order"].dt.to_period("M")
    k = (o["order_date"].dt.to_period("M") - cohort).apply(lambda offset: offset.n)
    cells = (o.assign(cohort=cohort, period=k)
              .groupby(["cohort", "period"])["customer_id"].nunique().rename("customers").reset_index())
    sizes = cells[cells["period"] == 0].set_index("cohort")["customers"].rename("cohort_customers")
    cells = cells.join(sizes, on="cohort")
    cells["share"] = cells["customers"] / cells["cohort_customers"]
    last_full = pd.Timestamp(end).to_period("M") - (0 if pd.Timestamp(end).is_month_end else 1)
    cells = cells[(cells["period"] == 0) | (cells["cohort"] + cells["period"] <= last_full)]
    cells["cohort"] = cells["cohort"].dt.to_timestamp()
    return cells.sort_values(["cohort", "period"]).reset_index(drop=True)


def crossbuying_pairs(tx: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Customer-level pairs (A, B): customers_both, support, confidence(A->B), lift; a category counts
    when the customer's net revenue in it (rows of orders dated in the period) is > 0."""
    key = tx["order_id"].fillna(tx["customer_id"] + "|" + tx["order_date"].dt.strftime("%Y-%m-%d"))
    tx = tx.assign(order_key=key)
    order_dates = tx.groupby("order_key")["order_date"].min()
    in_period = order_dates[(order_dates >= pd.Timestamp(start)) & (order_dates <= pd.Timestamp(end))].index
    lines = tx[tx["order_key"].isin(in_period) & tx["category"].notna()]
    net = lines.groupby(["customer_id", "category"])["revenue"].sum().round(2)
    cc = net[net > 0].reset_index()[["customer_id", "category"]]
    buyers = cc["customer_id"].nunique()
    per_category = cc.groupby("category")["customer_id"].nunique()
    pairs = cc.merge(cc, on="customer_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["category_a"] != pairs["category_b"]]
    both = pairs.groupby(["category_a", "category_b"])["customer_id"].nunique().rename("customers_both").reset_index()
    both["support"] = both["customers_both"] / buyers
    both["confidence"] = both["customers_both"] / both["category_a"].map(per_category)
    both["lift"] = both["confidence"] / (both["category_b"].map(per_category) / buyers)
    return both.rename(columns={"category_a": "a", "category_b": "b"}).sort_values(["a", "b"]).reset_index(drop=True)
