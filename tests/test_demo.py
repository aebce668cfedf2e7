"""Demo data: every table filled and valid, consistent, deterministic, and the built-in effects visible."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import duckdb
import pandas as pd
import pytest

from loyalty import demo
from loyalty.contract import INSTRUMENTS, KPIS, TABLES
from loyalty.store import Workspace

SMALL = 500


def _connect(ws: Workspace) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    snap = ws.snapshot()
    for table in TABLES:
        files = [str(f) for f in snap.files(table)]
        con.execute(f'create view "{table}" as select * from read_parquet({files!r})')
    return con


def _one(con, sql: str, **params):
    return con.execute(sql, params).fetchone()


def _table_hash(con, table: str) -> str:
    df = con.execute(f'select * from "{table}" order by all').df()
    return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("demo_small"))
    rows = demo.generate(ws, customers=SMALL, seed=7)
    return ws, rows, _connect(ws)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """Default size: big enough that treatment/control differences are not noise."""
    ws = Workspace(tmp_path_factory.mktemp("demo_large"))
    rows = demo.generate(ws)
    return ws, rows, _connect(ws)


# ------------------------------------------------------------------------------------------ shape
def test_every_table_filled_and_per_contract(small):
    ws, rows, con = small
    snap = ws.snapshot()
    assert snap.demo is True
    assert set(rows) == set(TABLES)
    for name, spec in TABLES.items():
        assert rows[name] > 0, name
        assert snap.tables[name].rows == rows[name]
        assert snap.tables[name].source == demo.SOURCE
        described = con.execute(f'describe "{name}"').fetchall()
        assert [(r[0], r[1]) for r in described] == [(c.name, c.sql_type) for c in spec.columns], name
        for col in spec.required:
            assert _one(con, f'select count(*) from "{name}" where "{col}" is null')[0] == 0, (name, col)
    assert rows["customers"] == SMALL
    assert rows["measures"] >= 5
    assert _one(con, "select count(*) from surveys where nps is null and csat is null")[0] == 0


def test_values_and_ranges(small):
    _, _, con = small
    start, end = demo.period()
    assert (start, end) == (date(2023, 10, 1), date(2026, 9, 30))
    for table, col in [("transactions", "order_date"), ("customers", "signup_date"), ("customers", "member_since"),
                       ("surveys", "response_date"), ("contacts", "contact_date"), ("contacts", "resolved_date"),
                       ("measures", "start_date"), ("measures", "end_date"), ("measure_participants", "assigned_date"),
                       ("targets", "period_start"), ("targets", "period_end"), ("points", "date")]:
        lo, hi = _one(con, f'select min("{col}"), max("{col}") from "{table}"')
        assert start <= lo and hi <= end, (table, col, lo, hi)

    lo_nps, hi_nps, lo_csat, hi_csat = _one(con, "select min(nps), max(nps), min(csat), max(csat) from surveys")
    assert 0 <= lo_nps <= hi_nps <= 10 and 1 <= lo_csat <= hi_csat <= 5
    assert {r[0] for r in con.execute("select distinct instrument from measures").fetchall()} <= set(INSTRUMENTS)
    assert {r[0] for r in con.execute("select distinct kpi from targets").fetchall()} <= set(KPIS)
    cats = {r[0] for r in con.execute("select distinct category from transactions").fetchall()}
    assert cats == set(demo.CATEGORIES) and len(cats) == 8
    assert {r[0] for r in con.execute("select distinct channel from transactions").fetchall()} == set(demo.CHANNELS)
    stores = dict(con.execute("select channel, list(distinct store) from transactions group by 1").fetchall())
    assert stores["Online"] == [demo.ONLINE_STORE] and stores["Telefon"] == [None]
    assert set(stores["Filiale"]) <= set(demo.STORES)
    assert {r[0] for r in con.execute("select distinct segment from customers").fetchall()} <= set(demo.SEGMENTS)
    assert {r[0] for r in con.execute("select distinct region from customers").fetchall()} == {"Nord", "Süd", "West", "Ost"}
    assert {r[0] for r in con.execute('select distinct "group" from measure_participants').fetchall()} == {
        "treatment", "control"}
    assert {r[0] for r in con.execute("select distinct type from contacts").fetchall()} == {"inquiry", "complaint"}
    assert _one(con, "select count(*) from contacts where compensation_cost < 0 or "
                     "(type = 'inquiry' and compensation_cost is not null)")[0] == 0
    assert _one(con, "select count(*) from contacts where resolved_date < contact_date")[0] == 0
    assert _one(con, "select count(*) from points where value_per_point <> 0.01 or "
                     "(type = 'earn') <> (points > 0)")[0] == 0

    ids = [r[0] for r in con.execute("select customer_id from customers").fetchall()]
    assert len(set(ids)) == SMALL and all(re.fullmatch(r"K\d{6}", i) for i in ids)
    orders = [r[0] for r in con.execute("select distinct order_id from transactions").fetchall()]
    assert all(re.fullmatch(r"B\d{7}", o) for o in orders)
    # an order belongs to one customer and has one purchase date (returns come later)
    assert _one(con, "select count(*) from (select order_id from transactions where revenue > 0 group by 1 "
                     "having count(distinct customer_id) > 1 or count(distinct order_date) > 1)")[0] == 0
    share_returns, margin_rate = _one(con, "select avg((revenue < 0)::int), sum(margin) / sum(revenue) from transactions")
    assert 0.01 < share_returns < 0.06 and 0.25 < margin_rate < 0.45
    assert _one(con, "select count(*) from transactions where (revenue < 0) <> (quantity < 0) or quantity = 0")[0] == 0

    members, newsletter, referral = _one(
        con, "select avg(loyalty_member::int), avg(newsletter_opt_in::int), avg((acquired_via = 'referral')::int) "
             "from customers")
    assert 0.25 < members < 0.45 and 0.3 < newsletter < 0.6 and 0.08 < referral < 0.22
    assert _one(con, "select count(*) from customers where loyalty_member <> (member_since is not null) "
                     "or loyalty_member <> (tier is not null) or member_since < signup_date")[0] == 0


def test_referential_integrity(small):
    _, _, con = small
    for table in ("transactions", "surveys", "contacts", "points", "measure_participants"):
        orphans = _one(con, f'select count(*) from "{table}" t anti join customers c using (customer_id) '
                            "where t.customer_id is not null")[0]
        assert orphans == 0, table
    assert _one(con, "select count(*) from measure_participants anti join measures using (measure_id)")[0] == 0
    assert _one(con, "select count(*) from (select measure_id, customer_id from measure_participants "
                     "group by all having count(*) > 1)")[0] == 0
    bad_referrals = _one(con, """
        select count(*) from customers c left join customers r on r.customer_id = c.referred_by
        where c.referred_by is not null and (r.customer_id is null or r.signup_date > c.signup_date
                                              or r.customer_id = c.customer_id or c.acquired_via <> 'referral')""")[0]
    assert bad_referrals == 0
    assert _one(con, "select count(*) from customers where acquired_via = 'referral' and referred_by is null")[0] == 0


def test_no_activity_before_signup(small):
    _, _, con = small
    for table, col in [("transactions", "order_date"), ("surveys", "response_date"), ("contacts", "contact_date"),
                       ("points", "date"), ("measure_participants", "assigned_date")]:
        early = _one(con, f'select count(*) from "{table}" t join customers c using (customer_id) '
                          f'where t."{col}" < c.signup_date')[0]
        assert early == 0, table
    # points only for members, not before they joined, and the balance never drops below zero
    assert _one(con, "select count(*) from points p join customers c using (customer_id) "
                     "where not c.loyalty_member or p.date < c.member_since")[0] == 0
    negative = _one(con, """with d as (select customer_id, date, sum(points) p from points group by all),
                            b as (select sum(p) over (partition by customer_id order by date) bal from d)
                            select count(*) from b where bal < 0""")[0]
    assert negative == 0


def test_deterministic(small, tmp_path):
    _, rows, con = small
    ws2 = Workspace(tmp_path / "again")
    assert demo.generate(ws2, customers=SMALL, seed=7) == rows
    con2 = _connect(ws2)
    for table in TABLES:
        assert _table_hash(con, table) == _table_hash(con2, table), table
    ws3 = Workspace(tmp_path / "other_seed")
    demo.generate(ws3, customers=SMALL, seed=8)
    assert _table_hash(_connect(ws3), "transactions") != _table_hash(con, "transactions")


def test_chunked_generation_stays_consistent(tmp_path, monkeypatch):
    """Several chunks (as for the 10 M benchmark): ids stay unique, references hold, progress reaches 1."""
    monkeypatch.setattr(demo, "CHUNK_CUSTOMERS", 150)
    calls: list[tuple[float, str]] = []
    ws = Workspace(tmp_path)
    rows = demo.generate(ws, customers=SMALL, seed=3, end_date=date(2025, 12, 31), progress=lambda f, m: calls.append((f, m)))
    con = _connect(ws)
    assert rows["customers"] == SMALL
    assert _one(con, "select count(distinct customer_id) from customers")[0] == SMALL
    assert _one(con, "select count(*) from (select order_id from transactions where revenue > 0 "
                     "group by 1 having count(distinct customer_id) > 1)")[0] == 0
    assert _one(con, "select count(*) from transactions anti join customers using (customer_id)")[0] == 0
    assert _one(con, "select max(order_date) from transactions")[0] <= date(2025, 12, 31)
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(calls) >= 5
    assert all(isinstance(m, str) and m for _, m in calls)


def test_ensure_demo(tmp_path):
    ws = Workspace(tmp_path / "empty")
    assert demo.ensure_demo(ws, customers=100) is True
    version = ws.version
    assert demo.ensure_demo(ws, customers=100) is False
    assert ws.version == version
    other = Workspace(tmp_path / "real")
    import pyarrow as pa

    other.write("customers", pa.table({"customer_id": ["X1"]}))
    assert demo.ensure_demo(other, customers=100) is False
    assert other.snapshot().demo is False


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError):
        demo.generate(Workspace(tmp_path), customers=0)
    with pytest.raises(ValueError):
        demo.generate(Workspace(tmp_path), customers=10, years=0)


# ------------------------------------------------------------------------------------------ behaviour
def test_default_size(large):
    _, rows, con = large
    assert rows["customers"] == 20_000
    assert 250_000 <= rows["transactions"] <= 350_000
    survey_share = _one(con, "select count(distinct customer_id) / 20000 from surveys")[0]
    assert 0.13 <= survey_share <= 0.22
    lines_per_order = _one(con, "select count(*) / count(distinct order_id) from transactions where revenue > 0")[0]
    assert 2.0 < lines_per_order < 3.5
    # cohorts: customers keep joining over the whole period
    per_year = [r[1] for r in con.execute("select year(signup_date) y, count(*) from customers group by 1 order by 1")
                .fetchall()]
    assert len(per_year) >= 3 and min(per_year) > 1000


def _uplift(con, measure: str, days: int = 180, segment: str | None = None, window_from_end: bool = False):
    """Orders per customer of treatment / control in the window after assignment (or after the measure's end),
    divided by the same ratio in the year before assignment (removes chance imbalance of heavy buyers)."""
    anchor = "m.end_date" if window_from_end else "p.assigned_date"
    rows = con.execute(f"""
        with o as (select customer_id, order_id, min(order_date) d from transactions where revenue > 0 group by all),
        per as (
            select p."group", p.customer_id,
                   count(o.order_id) filter (where o.d between {anchor} and {anchor} + $days) post,
                   count(o.order_id) filter (where o.d between p.assigned_date - 365 and p.assigned_date - 1) pre
            from measure_participants p join measures m using (measure_id) join customers c using (customer_id)
                 left join o using (customer_id)
            where p.measure_id = $m and ($seg is null or c.segment = $seg)
            group by all)
        select "group", avg(post), avg(pre) from per group by 1""", {"m": measure, "days": days, "seg": segment}).fetchall()
    means = {g: (post, pre) for g, post, pre in rows}
    (t_post, t_pre), (c_post, c_pre) = means["treatment"], means["control"]
    return (t_post / c_post) / (t_pre / c_pre)


def test_measure_effects_are_recoverable(large):
    _, _, con = large
    # thresholds hold for seeds 1-10 at the default size (built in: +40 %, 0, +60 % Stammkunden only, +60 %)
    assert _uplift(con, "M01") > 1.15  # bonus program works for everyone
    assert 0.85 < _uplift(con, "M02") < 1.15  # newsletter: no effect
    assert _uplift(con, "M03", 120, "Stammkunden", window_from_end=True) > 1.25  # event works for Stammkunden only
    assert 0.8 < _uplift(con, "M03", 120, "Privatkunden", window_from_end=True) < 1.2
    assert _uplift(con, "M05", 27) > 1.3  # discount: during the four campaign weeks
    assert demo.BUILT_IN_EFFECTS["M02"]["Privatkunden"] == 0.0
    # M04 has no control group: the pre/post comparison of its participants still shows the increase
    assert _one(con, "select count(*) from measure_participants where measure_id = 'M04' and \"group\" = 'control'")[0] == 0
    pre, post = _one(con, """
        with o as (select customer_id, order_id, min(order_date) d from transactions where revenue > 0 group by all),
        per as (select p.customer_id,
                       count(o.order_id) filter (where o.d between p.assigned_date - 181 and p.assigned_date - 1) pre,
                       count(o.order_id) filter (where o.d between p.assigned_date and p.assigned_date + 180) post
                from measure_participants p left join o using (customer_id) where p.measure_id = 'M04' group by all)
        select avg(pre), avg(post) from per""")
    assert post > 1.05 * pre
    # measure costs are set
    assert _one(con, "select count(*) from measures where fixed_cost > 0 and cost_per_participant > 0")[0] == 5


def test_satisfaction_drives_buying_and_complaints_drive_churn(large):
    _, _, con = large
    corr = _one(con, "select corr(nps, csat) from surveys")[0]
    assert corr > 0.4
    assert _one(con, "select min(nps), max(nps), min(csat), max(csat) from surveys") == (0, 10, 1, 5)
    after = dict(con.execute("""
        with o as (select customer_id, order_id, min(order_date) d from transactions where revenue > 0 group by all),
        s as (select row_number() over () rid, customer_id, response_date,
                     case when nps >= 9 then 'promoter' when nps <= 6 then 'detractor' else 'passive' end kind
              from surveys where customer_id is not null and nps is not null)
        select kind, avg(n) from (
            select s.rid, s.kind, count(o.order_id) filter (where o.d > s.response_date
                                                             and o.d <= s.response_date + 365) n
            from s left join o using (customer_id) group by all) group by 1""").fetchall())
    assert after["promoter"] > 1.4 * after["detractor"]
    comments = dict(con.execute("""select case when nps >= 9 then 'p' else 'd' end, list(distinct comment)
                                   from surveys where comment is not null and (nps >= 9 or nps <= 6) group by 1""").fetchall())
    assert "Lieferung kam zu spät." in comments["d"] and not set(comments["d"]) & set(demo.COMMENTS_POSITIVE)
    assert not set(comments["p"]) & set(demo.COMMENTS_NEGATIVE)
    assert _one(con, "select count(*) from surveys where customer_id is null")[0] > 0
    assert _one(con, "select count(*) from surveys where nps is null")[0] > 0
    # customers whose complaint was never resolved buy again less often than quickly helped ones
    again = dict(con.execute("""
        with c as (select customer_id, min(contact_date) d, bool_or(resolved_date is null) is_open,
                          max(resolved_date - contact_date) res_days
                   from contacts where type = 'complaint' and contact_date < date '2025-09-30' group by 1),
        k as (select c.*, case when is_open then 'open' when res_days >= 14 then 'slow' else 'quick' end kind from c)
        select kind, avg((exists (select 1 from transactions t where t.customer_id = k.customer_id
                                   and t.revenue > 0 and t.order_date > k.d + 14))::int) from k group by 1""").fetchall())
    assert again["open"] < again["slow"] < again["quick"]


def test_cross_buying_and_seasonality(large):
    _, _, con = large
    lift = dict(((r[0], r[1]), r[2]) for r in con.execute("""
        with b as (select distinct order_id, category from transactions where revenue > 0),
        n as (select count(distinct order_id) n from b), single as (select category, count(*) c from b group by 1),
        pairs as (select a.category x, z.category y, count(*) c from b a join b z using (order_id)
                  where a.category <> z.category group by all)
        select x, y, pairs.c * n.n / (s1.c * s2.c) from pairs, n, single s1, single s2
        where s1.category = x and s2.category = y""").fetchall())
    assert lift[("Pflanzen", "Dünger")] > 1.4
    assert lift[("Grill", "Garten")] > 1.1
    assert lift[("Deko", "Haushalt")] > 1.3
    by_month = dict(con.execute("select month(order_date), sum(revenue) from transactions "
                                "where order_date >= date '2024-10-01' and order_date < date '2025-10-01' group by 1").fetchall())
    assert by_month[12] == max(by_month.values())
    grill = dict(con.execute("select month(order_date), avg((category = 'Grill')::int) from transactions group by 1").fetchall())
    assert grill[6] > 2 * grill[12]
    garden_spring = _one(con, "select avg((category in ('Garten', 'Pflanzen', 'Dünger'))::int) from transactions "
                              "where month(order_date) in (3, 4, 5)")[0]
    garden_winter = _one(con, "select avg((category in ('Garten', 'Pflanzen', 'Dünger'))::int) from transactions "
                              "where month(order_date) in (1, 2)")[0]
    assert garden_spring > 1.5 * garden_winter


def test_targets_near_actuals(large):
    _, _, con = large
    rows = con.execute("""
        select t.target, a.revenue from targets t join (
            select p.period_start, p.period_end, sum(x.revenue) revenue
            from (select distinct period_start, period_end from targets) p
            join transactions x on x.order_date between p.period_start and p.period_end group by all) a
        using (period_start, period_end)
        where t.kpi = 'revenue' and t.segment is null""").fetchall()
    assert len(rows) >= 3 + 8  # fiscal years and full quarters
    ratios = [target / actual for target, actual in rows]
    assert all(0.85 < r < 1.2 for r in ratios)
    assert any(r < 1 for r in ratios) and any(r > 1 for r in ratios)  # some met, some missed
    segs = {r[0] for r in con.execute("select distinct segment from targets where segment is not null").fetchall()}
    assert segs == set(demo.SEGMENTS)
    kpis = {r[0] for r in con.execute("select distinct kpi from targets").fetchall()}
    assert {"active_customers", "orders", "revenue", "avg_order_value", "repeat_purchase_rate",
            "orders_per_customer", "nps", "csat"} <= kpis
