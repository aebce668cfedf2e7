"""The hand-made workspace every cross-buying test uses (queries, CLI, browser), and checks that it is
what the comments below say. Period Q1 = 2026-01-01 .. 2026-03-31.

    customer  segment member  orders in Q1 (channel)                         counted categories in Q1
    P         S1      yes     o1 Jan 05 Garten 10 (Filiale), o2 Feb 10 Garten 30 (Online)     {Garten}: same category twice
    Q         S1      no      o3 Jan 12 Garten 40 + Werkzeug 20, the Werkzeug line returned
                              on 2026-04-05 (-20, same order o3, after the period) (Filiale)  {Garten}: Werkzeug nets to 0
    R         S1      yes     o4 Jan 20 Garten 50 + Dünger 20 (Filiale), o5 Mar 03 Grill 100
                              (Online)                                                         {Garten, Dünger, Grill}
    S         S2      no      o6 Feb 01 Dünger 15 + Grill 60 (Online)                          {Dünger, Grill}
    T         S1      no      Jan 08 without order_id: Deko 25, Grill 80, Grill -80
                              (one order: same customer and day) (Filiale)                     {Deko}: Grill returned
    U         S2      no      o8 Mar 20 Deko 35 (Filiale); o9 2025-12-20 Garten 45 before Q1   {Deko}
    V         S2      no      o10 Feb 14 a line without category, 12 (Filiale)                none: active, no category
    W         S2      no      o11 2025-12-31 Garten 40 only before Q1                          not active

In Q1: 7 active customers (P..V), 6 category buyers (P..U), categories Garten 3 (P, Q, R), Dünger 2
(R, S), Grill 2 (R, S), Deko 2 (T, U).
"""

from __future__ import annotations

import pytest

from loyalty.filters import Filters
from tests.conftest import d, make_workspace

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def _line(customer, day, revenue, order_id, category, channel):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, category=category,
                channel=channel)


CROSSBUYING_TRANSACTIONS = [
    _line("P", "2026-01-05", 10.0, "o1", "Garten", "Filiale"),
    _line("P", "2026-02-10", 30.0, "o2", "Garten", "Online"),
    _line("Q", "2026-01-12", 40.0, "o3", "Garten", "Filiale"),
    _line("Q", "2026-01-12", 20.0, "o3", "Werkzeug", "Filiale"),
    _line("Q", "2026-04-05", -20.0, "o3", "Werkzeug", "Filiale"),
    _line("R", "2026-01-20", 50.0, "o4", "Garten", "Filiale"),
    _line("R", "2026-01-20", 20.0, "o4", "Dünger", "Filiale"),
    _line("R", "2026-03-03", 100.0, "o5", "Grill", "Online"),
    _line("S", "2026-02-01", 15.0, "o6", "Dünger", "Online"),
    _line("S", "2026-02-01", 60.0, "o6", "Grill", "Online"),
    _line("T", "2026-01-08", 25.0, None, "Deko", "Filiale"),
    _line("T", "2026-01-08", 80.0, None, "Grill", "Filiale"),
    _line("T", "2026-01-08", -80.0, None, "Grill", "Filiale"),
    _line("U", "2026-03-20", 35.0, "o8", "Deko", "Filiale"),
    _line("U", "2025-12-20", 45.0, "o9", "Garten", "Filiale"),
    _line("V", "2026-02-14", 12.0, "o10", None, "Filiale"),
    _line("W", "2025-12-31", 40.0, "o11", "Garten", "Filiale"),
]
CROSSBUYING_CUSTOMERS = [
    dict(customer_id="P", segment="S1", loyalty_member=True),
    dict(customer_id="Q", segment="S1", loyalty_member=False),
    dict(customer_id="R", segment="S1", loyalty_member=True),
    dict(customer_id="S", segment="S2", loyalty_member=False),
    dict(customer_id="T", segment="S1", loyalty_member=False),
    dict(customer_id="U", segment="S2", loyalty_member=False),
    dict(customer_id="V", segment="S2", loyalty_member=False),
    dict(customer_id="W", segment="S2", loyalty_member=False),
]


def build_crossbuying_workspace(root):
    return make_workspace(root, transactions=CROSSBUYING_TRANSACTIONS, customers=CROSSBUYING_CUSTOMERS)


@pytest.fixture(scope="module")
def crossbuying_con(tmp_path_factory):
    from loyalty.db import connect

    con = connect(build_crossbuying_workspace(tmp_path_factory.mktemp("crossbuying_ws")).snapshot())
    yield con
    con.close()


def test_fixture_orders_are_as_described(crossbuying_con):
    orders = crossbuying_con.execute(
        "select customer_id, order_date, revenue from orders where order_date between $start and $end "
        "order by customer_id, order_date", {"start": Q1.start, "end": Q1.end}).fetchall()
    # one order per listed order; T's three rows without order_id are one order of 25; Q's o3 nets 40
    assert [(c, str(day), rev) for c, day, rev in orders] == [
        ("P", "2026-01-05", 10.0), ("P", "2026-02-10", 30.0), ("Q", "2026-01-12", 40.0),
        ("R", "2026-01-20", 70.0), ("R", "2026-03-03", 100.0), ("S", "2026-02-01", 75.0),
        ("T", "2026-01-08", 25.0), ("U", "2026-03-20", 35.0), ("V", "2026-02-14", 12.0),
    ]


# the shared filter of every query that reads the order_categories view (the same five lines as the
# filtered_orders CTE of docs/architecture.md), so the sidebar filters mean the same on every tab
ORDER_CATEGORY_FILTER = """    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))"""


def test_every_cross_buying_query_filters_order_categories_the_same_way():
    from loyalty import queries

    readers = [n for n in queries.names() if n.startswith("crossbuying_") and "from order_categories" in queries.load(n).sql]
    assert {"crossbuying_breadth", "crossbuying_period_rows", "crossbuying_trend",
            "crossbuying_by_group", "crossbuying_pairs", "crossbuying_basket_pairs", "crossbuying_next_best"} <= set(readers)
    for name in readers:
        assert ORDER_CATEGORY_FILTER in queries.load(name).sql, f"{name}: the order_categories filter differs"
