"""queries/repeat_by_dimension.sql on the workspace of test_cohort_retention.py, Jan-Apr 2026.
Orders per customer in the period: A 4, B 1, C 3 (2 Online, 1 Filiale), D 1, E 1, F 1, G 1."""

from __future__ import annotations

import pytest

from loyalty import queries
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"repeat_by_dimension": {"dimension": "segment"}}


def split(con, dimension):
    df = queries.run(con, "repeat_by_dimension", dimension=dimension, **JAN_TO_APR.params())
    return {(None if r.dimension_value != r.dimension_value or r.dimension_value is None else r.dimension_value):
            (r.customers, r.orders, r.repeat_purchase_rate) for r in df.itertuples()}


def test_by_segment(retention_con):
    # P: A 4, C 3, G 1 -> 3 customers, 8 orders, 2 repeat; S: B, D, E 1 each; F has no segment
    assert split(retention_con, "segment") == {"P": (3, 8, pytest.approx(2 / 3)), "S": (3, 3, 0.0),
                                               None: (1, 1, 0.0)}


def test_by_channel_counts_orders_in_the_channel(retention_con):
    # Filiale: A 4, C 1, D 1, E 1, G 1 -> 5 customers, 8 orders, A repeats; Online: B 1, C 2, F 1 -> C repeats
    assert split(retention_con, "channel") == {"Filiale": (5, 8, pytest.approx(1 / 5)),
                                               "Online": (3, 4, pytest.approx(1 / 3))}


def test_by_loyalty_member_and_region(retention_con):
    # members A, C, E; F (no customer row) counts as non-member with B, D, G
    assert split(retention_con, "loyalty_member") == {"true": (3, 8, pytest.approx(2 / 3)),
                                                      "false": (4, 4, 0.0)}
    # Nord: A, D, E, G (A repeats); Süd: B, C (C repeats); F without region
    assert split(retention_con, "region") == {"Nord": (4, 7, pytest.approx(1 / 4)),
                                              "Süd": (2, 4, pytest.approx(1 / 2)), None: (1, 1, 0.0)}
