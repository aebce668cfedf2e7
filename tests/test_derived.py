"""loyalty/derived.py and the store's derived tables: built at write time, rebuilt when a table they read
changes, upgraded when written by an older version, and equal to the views computed without them."""

import json

import pandas as pd
import pytest

from loyalty import queries
from loyalty.cli import main as cli
from loyalty.db import connect
from loyalty.derived import DERIVED_VERSION
from loyalty.store import Workspace
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, make_workspace, to_arrow


def segments_of_orders(ws: Workspace) -> dict:
    con = connect(ws.snapshot())
    rows = con.execute("select customer_id, any_value(segment) from orders group by 1").fetchall()
    con.close()
    return dict(rows)


def test_orders_carry_the_customer_attributes(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    state = ws.snapshot().tables["transactions"]
    assert set(state.derived) == {"orders", "order_categories"} and state.derived_version == DERIVED_VERSION
    assert segments_of_orders(ws) == {"A": "S1", "B": "S2", "C": "S1", "D": "S2"}


def test_writing_customers_rebuilds_the_orders_in_the_same_version(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    moved = [{**c, "segment": "S9"} if c["customer_id"] == "A" else c for c in FIXTURE_CUSTOMERS]
    before = ws.snapshot().tables["transactions"].derived
    result = ws.write("customers", to_arrow("customers", moved))
    snap = ws.snapshot()
    assert snap.version == result.version
    assert snap.tables["transactions"].derived != before  # new files, published with the customers
    assert segments_of_orders(ws)["A"] == "S9"
    ws.delete("customers")
    assert set(segments_of_orders(ws).values()) == {None}


def test_customers_written_first_reach_orders_written_later(tmp_path):
    ws = make_workspace(tmp_path, customers=FIXTURE_CUSTOMERS, transactions=FIXTURE_TRANSACTIONS)
    assert segments_of_orders(ws)["B"] == "S2"


def test_outdated_derived_tables_are_computed_then_upgraded(tmp_path, capsys, monkeypatch):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    con = connect(ws.snapshot())
    expected = {name: queries.run(con, name, **params) for name, params in [
        ("kpis", dict(start=pd.Timestamp("2025-01-01").date(), end=pd.Timestamp("2026-12-31").date(),
                      segments=["S1"], regions=[], channels=[], stores=[])),
        ("crossbuying_breadth", dict(start=pd.Timestamp("2025-01-01").date(), end=pd.Timestamp("2026-12-31").date(),
                                     segments=[], regions=[], channels=[], stores=[]))]}
    con.close()
    # a workspace written by the previous version: derived tables of format 1, without order_categories
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["tables"]["transactions"]["derived_version"] = 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    snap = ws.snapshot()
    assert snap.outdated_derived() == ["transactions"] and snap.derived_files("orders") == []
    con = connect(snap)  # the views compute the derived tables: same numbers, only slower
    for name, frame in expected.items():
        params = dict(start=pd.Timestamp("2025-01-01").date(), end=pd.Timestamp("2026-12-31").date(),
                      segments=["S1"] if name == "kpis" else [], regions=[], channels=[], stores=[])
        pd.testing.assert_frame_equal(queries.run(con, name, **params), frame)
    con.close()
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(tmp_path))
    assert cli(["upgrade"]) == 0
    assert "rebuilt the derived tables of transactions" in capsys.readouterr().out
    assert ws.snapshot().outdated_derived() == [] and ws.snapshot().derived_files("order_categories")
    assert cli(["upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["orders", "order_categories"])
def test_derived_files_equal_the_fallback_views(tmp_path, monkeypatch, name):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    sort = "order_key, category" if name == "order_categories" else "order_key"
    con = connect(ws.snapshot())
    stored = con.execute(f"select * from {name} order by {sort}").df()
    con.close()
    monkeypatch.setenv("LOYALTY_NO_DERIVED", "1")
    con = connect(ws.snapshot())
    computed = con.execute(f"select * from {name} order by {sort}").df()
    con.close()
    pd.testing.assert_frame_equal(stored, computed, check_dtype=False)


def test_upgrade_of_an_empty_workspace_is_a_no_op(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(tmp_path / "new"))
    assert cli(["upgrade"]) == 0  # a service start before the first import must not fail
    assert "up to date" in capsys.readouterr().out
