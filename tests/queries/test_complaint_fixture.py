"""The hand-made workspace of the complaint tests (queries, browser) and checks that it is what the
tables below say. Period Q1 = 2026-01-01 .. 2026-03-31.

Customers (segment, region): A S1 Nord, B S2 Süd, C S1 Süd, D S2 Nord, E S1 Nord, F S2 Süd, G S1 Nord,
H S2 Süd.
Orders: A 2026-01-05 25, 2026-06-01 30 | B 2026-01-10 35 | C 2026-02-03 45, 2026-05-01 10, 2026-09-01 10 |
        D 2026-03-04 55, 2027-01-01 50 | E 2026-03-20 65 | F 2026-02-15 40, 2026-08-01 60 | G 2026-03-10 20 |
        H 2027-04-01 10 (the last order date in the data)
Active in Q1: A B C D E F G = 7 (Jan A B, Feb C F, Mar D E G).

Contacts                                                                     days to resolution
    #  date        customer channel type        reason          resolved    comp.
    1  2026-01-06  A        phone   complaint   Produktmangel   2026-01-08  20     2
    2  2026-01-07  A        phone   inquiry     Produktfrage    2026-01-07  -      (inquiry)
    3  2026-01-15  B        email   complaint   Lieferverzug    2026-01-25  -      10
    4  2026-02-04  C        chat    Beschwerde  Produktmangel   2026-02-04  5      0
    5  2026-03-05  D        letter  complaint   Rechnung        open        -
    6  2026-03-25  E        store   complaint   Wartezeit       open        -
    7  2026-02-10  -        phone   inquiry     Öffnungszeiten  2026-02-10  -      (inquiry, no customer)
    8  2026-03-06  D        email   complaint   Produktmangel   2026-03-31  15     25
    9  2025-12-20  A        phone   complaint   Produktmangel   2025-12-22  -      (before Q1)
As-of date of the contacts table: 2026-03-31 (latest contact or resolution date).

Q1: 8 contacts, 6 complaints (#1 #3 #4 #5 #6 #8), 4 resolved in 0, 2, 10, 25 days -> median 6,
90th percentile 10 + 0.7 * 15 = 20.5; 2 open. Within 7 days: #1 #4 of the due ones: the 4 resolved
plus #5 (deadline 03-12 passed) but not #6 (deadline 04-01 after the as-of date) -> 2 / 5.
Compensation 20 + 5 + 15 = 40 -> 40 / 6 per complaint.
"""

from __future__ import annotations

import pytest

from loyalty.filters import Filters
from tests.conftest import d, make_workspace

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def _order(customer, day, revenue, order_id):
    return dict(customer_id=customer, order_date=d(day), revenue=revenue, order_id=order_id, channel="Filiale")


COMPLAINT_TRANSACTIONS = [
    _order("A", "2026-01-05", 25.0, "a1"), _order("A", "2026-06-01", 30.0, "a2"),
    _order("B", "2026-01-10", 35.0, "b1"),
    _order("C", "2026-02-03", 45.0, "c1"), _order("C", "2026-05-01", 10.0, "c2"), _order("C", "2026-09-01", 10.0, "c3"),
    _order("D", "2026-03-04", 55.0, "d1"), _order("D", "2027-01-01", 50.0, "d2"),
    _order("E", "2026-03-20", 65.0, "e1"),
    _order("F", "2026-02-15", 40.0, "f1"), _order("F", "2026-08-01", 60.0, "f2"),
    _order("G", "2026-03-10", 20.0, "g1"),
    _order("H", "2027-04-01", 10.0, "h1"),
]
COMPLAINT_CUSTOMERS = [
    dict(customer_id=c, segment=s, region=r) for c, s, r in
    [("A", "S1", "Nord"), ("B", "S2", "Süd"), ("C", "S1", "Süd"), ("D", "S2", "Nord"), ("E", "S1", "Nord"),
     ("F", "S2", "Süd"), ("G", "S1", "Nord"), ("H", "S2", "Süd")]
]


def _contact(day, customer, channel, kind, reason, resolved=None, compensation=None):
    return dict(contact_date=d(day), customer_id=customer, channel=channel, type=kind, reason=reason,
                resolved_date=d(resolved) if resolved else None, compensation_cost=compensation)


COMPLAINT_CONTACTS = [
    _contact("2026-01-06", "A", "phone", "complaint", "Produktmangel", "2026-01-08", 20.0),
    _contact("2026-01-07", "A", "phone", "inquiry", "Produktfrage", "2026-01-07"),
    _contact("2026-01-15", "B", "email", "complaint", "Lieferverzug", "2026-01-25"),
    _contact("2026-02-04", "C", "chat", "Beschwerde", "Produktmangel", "2026-02-04", 5.0),
    _contact("2026-03-05", "D", "letter", "complaint", "Rechnung"),
    _contact("2026-03-25", "E", "store", "complaint", "Wartezeit"),
    _contact("2026-02-10", None, "phone", "inquiry", "Öffnungszeiten", "2026-02-10"),
    _contact("2026-03-06", "D", "email", "complaint", "Produktmangel", "2026-03-31", 15.0),
    _contact("2025-12-20", "A", "phone", "complaint", "Produktmangel", "2025-12-22"),
]


def build_complaint_workspace(root):
    return make_workspace(root, transactions=COMPLAINT_TRANSACTIONS, customers=COMPLAINT_CUSTOMERS,
                          contacts=COMPLAINT_CONTACTS)


def complaint_con_fixture():
    """`complaint_con = complaint_con_fixture()` in a test module: a connection on the workspace, once per module."""
    from loyalty.db import connect

    @pytest.fixture(scope="module")
    def complaint_con(tmp_path_factory):
        con = connect(build_complaint_workspace(tmp_path_factory.mktemp("complaint_ws")).snapshot())
        yield con
        con.close()

    return complaint_con


complaint_con = complaint_con_fixture()


def test_fixture_holds_what_the_docstring_says(complaint_con):
    assert complaint_con.execute("select count(*) from contacts where contact_date >= '2026-01-01'").fetchone() == (8,)
    assert complaint_con.execute("select count(distinct customer_id) from orders "
                                 "where order_date between '2026-01-01' and '2026-03-31'").fetchone() == (7,)


def test_contact_filter_block_is_identical_in_every_complaint_query():
    """All contact metrics filter the same way (docs/metrics.md#contact-filters)."""
    from loyalty import queries

    names = [n for n in queries.names() if "filtered_contacts as (" in queries.load(n).sql]
    assert {"complaint_kpis", "complaint_trend", "complaint_by_group", "complaint_open",
            "complaint_recovery"} <= set(names)
    blocks = set()
    for name in names:
        sql = queries.load(name).sql
        start = sql.index("with filtered_contacts as (")
        blocks.add(sql[start:sql.index("\n),", sql.index("contacts_as_of as ("))])
    assert len(blocks) == 1, "the contact filter CTEs differ between: " + ", ".join(names)
