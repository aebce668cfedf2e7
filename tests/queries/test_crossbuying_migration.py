"""Category migration of new customers on the hand-made workspace (tests/queries/test_crossbuying_fixture.py)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_crossbuying_fixture import Q1, crossbuying_con  # noqa: F401 - fixture


def _rows(con, filters=Q1):
    df = queries.run(con, "crossbuying_migration", **filters.params())
    return {(r.entry_category, r.next_category if isinstance(r.next_category, str) else None):
            (r.entry_customers, r.followup_customers, r.customers, r.share,
             None if r.median_days != r.median_days else r.median_days)
            for r in df.itertuples()}


def test_migration_by_hand(crossbuying_con):  # noqa: F811
    rows = _rows(crossbuying_con)
    # first purchase days: P Jan 05, Q Jan 12, R Jan 20, S Feb 01, T Jan 08, V Feb 14 (in Q1);
    # U (2025-12-20) and W are no new customers. V's first day has no category -> no entry.
    # entries: P {Garten}, Q {Garten} (Werkzeug returned), R {Garten, Dünger}, S {Dünger, Grill}, T {Deko}
    # later days: P Garten on Feb 10 (36 days); R Grill on Mar 03 (11 + 28 + 3 = 42 days)
    assert rows == {
        ("Garten", "Garten"): (3, 2, 1, pytest.approx(1 / 3), 36.0),
        ("Garten", "Grill"): (3, 2, 1, pytest.approx(1 / 3), 42.0),
        ("Dünger", "Grill"): (2, 1, 1, pytest.approx(1 / 2), 42.0),
        ("Grill", None): (1, 0, 0, 0.0, None),  # S never bought again
        ("Deko", None): (1, 0, 0, 0.0, None),  # T never bought again
    }


def test_follow_ups_stop_at_the_period_end(crossbuying_con):  # noqa: F811
    january_february = Filters(Q1.start, Q1.end.replace(month=2, day=28))
    rows = _rows(crossbuying_con, january_february)
    assert rows[("Garten", "Garten")][2] == 1  # P's Feb 10 purchase is inside
    assert ("Garten", "Grill") not in rows and ("Dünger", None) in rows  # R's Mar 03 is outside


def test_channel_filter_applies_to_entry_and_follow_up_orders(crossbuying_con):  # noqa: F811
    # Online only: P's first purchase (o1) was in the store -> P is no online entry; S {Dünger, Grill} is
    rows = _rows(crossbuying_con, Filters(Q1.start, Q1.end, channels=("Online",)))
    assert set(rows) == {("Dünger", None), ("Grill", None)}
