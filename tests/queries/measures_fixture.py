"""A tiny workspace for the measure, member, points and target queries; every expected number in the tests
is derived by hand from these rows (see the comments there).

Measures
- MA (bonus_program, 2026-01-01 .. 2026-01-31, fixed 35 €, 5 € per participant): treatment T1, T2, T3,
  control C1, C2.
- MZ (newsletter, 2026-02-01 .. 2026-02-28, no cost): treatment Z1, Z2, control Z3, Z4 with mirrored
  purchases: the true effect is zero.
- MP (service, 2026-03-01 .. 2026-03-10): treatment P1 only (no control group); N1 is the one
  comparable non-participant (same segment S1, same prior activity, customer for over a year).
Members J1, J2 joined on 2025-03-01 (before/after). X's order on 2026-03-31 ends the data.
"""

from __future__ import annotations

from tests.conftest import d, make_workspace


def _tx(customer, day, revenue, margin=None, order_id=None, category="Garten"):
    return dict(customer_id=customer, order_date=d(day), revenue=float(revenue),
                margin=None if margin is None else float(margin), order_id=order_id, category=category)


TRANSACTIONS = [
    # MA window 2026-01-01 .. 2026-01-31 (+ follow-up)
    _tx("T1", "2026-01-05", 100, 40, "a1"),  # week 0 of MA
    _tx("T1", "2026-01-20", 50, 20, "a2"),  # week 2
    _tx("T1", "2026-02-15", 70, 28, "a3"),  # only inside MA's window with >= 15 follow-up days
    _tx("T2", "2026-01-08", 60, None, "a4"),  # no margin: revenue x margin rate; week 1
    _tx("C1", "2026-01-12", 30, 12, "a5"),  # week 1
    # before MA: prior-year revenue for the value classes (T1 80 -> A, C1 20 -> B) and previous activity
    _tx("T1", "2025-12-20", 80, 32, "a6"),
    _tx("C1", "2025-12-15", 20, 8, "a7"),
    # MZ: mirrored purchases, margin 3 per order
    _tx("Z1", "2026-02-03", 10, 3, "z1"),
    _tx("Z2", "2026-02-04", 10, 3, "z2"), _tx("Z2", "2026-02-10", 10, 3, "z3"), _tx("Z2", "2026-02-17", 10, 3, "z4"),
    _tx("Z3", "2026-02-05", 10, 3, "z5"), _tx("Z3", "2026-02-11", 10, 3, "z6"), _tx("Z3", "2026-02-18", 10, 3, "z7"),
    _tx("Z4", "2026-02-06", 10, 3, "z8"),
    # MP: pre window 2026-02-19 .. 02-28, post window 03-01 .. 03-10 (follow-up 0)
    _tx("P1", "2026-02-20", 10, 4, "p1"), _tx("P1", "2026-03-02", 20, 8, "p2"), _tx("P1", "2026-03-05", 20, 8, "p3"),
    _tx("N1", "2026-02-21", 10, 4, "n1"), _tx("N1", "2026-03-03", 10, 4, "n2"),
    # members joining on 2025-03-01: before = 2024-03-01 .. 2025-02-28, after = 2025-03-01 .. 2026-02-28
    _tx("J1", "2024-01-05", 10, 4, "j0"),  # first day of data, outside both windows
    _tx("J1", "2024-06-01", 50, 20, "j1"), _tx("J1", "2025-04-01", 30, 12, "j2"), _tx("J1", "2025-05-01", 30, 12, "j3"),
    _tx("J2", "2024-09-01", 40, 16, "j4"), _tx("J2", "2024-10-01", 40, 16, "j5"),
    _tx("X", "2026-03-31", 5, 2, "x1"),  # last day of data
]

CUSTOMERS = [
    dict(customer_id="T1", segment="S1", region="Nord", newsletter_opt_in=False),
    dict(customer_id="T2", segment="S1", region="Süd", newsletter_opt_in=True),
    dict(customer_id="T3", segment="S2", region="Nord", newsletter_opt_in=None),
    dict(customer_id="C1", segment="S1", region="Nord", newsletter_opt_in=True),
    dict(customer_id="C2", segment="S2", region="Süd", newsletter_opt_in=False),
    dict(customer_id="Z1", segment="S1", region="Nord"), dict(customer_id="Z2", segment="S1", region="Nord"),
    dict(customer_id="Z3", segment="S1", region="Nord"), dict(customer_id="Z4", segment="S1", region="Nord"),
    dict(customer_id="P1", segment="S1", region="Nord", signup_date=d("2025-01-01")),
    dict(customer_id="N1", segment="S1", region="Nord", signup_date=d("2025-01-01")),
    dict(customer_id="J1", segment="S2", region="Süd", signup_date=d("2024-01-01"), loyalty_member=True,
         member_since=d("2025-03-01")),
    dict(customer_id="J2", segment="S2", region="Süd", signup_date=d("2024-01-01"), loyalty_member=True,
         member_since=d("2025-03-01")),
    dict(customer_id="X", segment="S2", region="Süd"),
]

MEASURES = [
    dict(measure_id="MA", name="Bonus A", instrument="bonus_program", start_date=d("2026-01-01"),
         end_date=d("2026-01-31"), fixed_cost=35.0, cost_per_participant=5.0),
    dict(measure_id="MZ", name="Newsletter Z", instrument="newsletter", start_date=d("2026-02-01"),
         end_date=d("2026-02-28"), fixed_cost=0.0, cost_per_participant=0.0),
    dict(measure_id="MP", name="Service P", instrument="service", start_date=d("2026-03-01"),
         end_date=d("2026-03-10"), target_segment="S1", fixed_cost=10.0, cost_per_participant=2.0),
]


def _p(measure, customer, group, day=None):
    return dict(measure_id=measure, customer_id=customer, group=group, assigned_date=d(day) if day else None)


PARTICIPANTS = [
    _p("MA", "T1", "treatment", "2026-01-01"), _p("MA", "T2", "treatment", "2026-01-01"),
    _p("MA", "T3", "treatment"), _p("MA", "C1", "control"), _p("MA", "C2", "control"),
    _p("MZ", "Z1", "treatment"), _p("MZ", "Z2", "treatment"), _p("MZ", "Z3", "control"), _p("MZ", "Z4", "control"),
    _p("MP", "P1", "treatment", "2026-03-01"),
]

CONTACTS = [
    dict(contact_date=d("2026-01-10"), customer_id="T1", type="complaint"),  # inside MA's window
    dict(contact_date=d("2026-01-12"), customer_id="C1", type="inquiry"),  # not a complaint
    dict(contact_date=d("2026-03-20"), customer_id="C2", type="complaint"),  # after MA's window (follow-up 0)
]


def build(root):
    return make_workspace(root, transactions=TRANSACTIONS, customers=CUSTOMERS, measures=MEASURES,
                          measure_participants=PARTICIPANTS, contacts=CONTACTS)
