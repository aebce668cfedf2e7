"""Shared test fixtures: small workspaces built from hand-written rows."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loyalty.contract import TABLES  # noqa: E402
from loyalty.db import connect  # noqa: E402
from loyalty.store import Workspace  # noqa: E402

os.environ.setdefault("LOYALTY_AUTO_DEMO", "0")


def to_arrow(table: str, rows: list[dict] | pd.DataFrame) -> pa.Table:
    """Rows with contract column names (missing optional columns are fine) as an Arrow table."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    spec = TABLES[table]
    fields = [pa.field(c, spec.column(c).arrow_type) for c in df.columns]
    return pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)


def make_workspace(root: Path, **tables: list[dict] | pd.DataFrame) -> Workspace:
    ws = Workspace(root)
    for name, rows in tables.items():
        ws.write(name, to_arrow(name, rows), source="test fixture")
    return ws


def d(text: str) -> date:
    return date.fromisoformat(text)


# The canonical tiny workspace (hand-computed expectations are in tests/queries/test_kpis.py).
FIXTURE_TRANSACTIONS = [
    # customer A: order o1 with two lines (10 + 20) and order o2 (50)
    dict(customer_id="A", order_date=d("2026-01-05"), revenue=10.0, order_id="o1", category="Garten", channel="Filiale", store="Nürnberg"),
    dict(customer_id="A", order_date=d("2026-01-05"), revenue=20.0, order_id="o1", category="Dünger", channel="Filiale", store="Nürnberg"),
    dict(customer_id="A", order_date=d("2026-02-10"), revenue=50.0, order_id="o2", category="Garten", channel="Online", store=None),
    # customer B: two rows on the same day without order_id = one order of 20
    dict(customer_id="B", order_date=d("2026-01-07"), revenue=15.0, order_id=None, category="Deko", channel="Filiale", store="Fürth"),
    dict(customer_id="B", order_date=d("2026-01-07"), revenue=5.0, order_id=None, category="Deko", channel="Filiale", store="Fürth"),
    # customer C: order o3 of 100 with a returned line of -10
    dict(customer_id="C", order_date=d("2026-03-01"), revenue=100.0, order_id="o3", category="Grill", channel="Online", store=None),
    dict(customer_id="C", order_date=d("2026-03-01"), revenue=-10.0, order_id="o3", category="Grill", channel="Online", store=None),
    # customer D: only before the period
    dict(customer_id="D", order_date=d("2025-12-31"), revenue=40.0, order_id="o4", category="Garten", channel="Filiale", store="Nürnberg"),
]
FIXTURE_CUSTOMERS = [
    dict(customer_id="A", segment="S1", region="Nord", loyalty_member=True),
    dict(customer_id="B", segment="S2", region="Süd", loyalty_member=False),
    dict(customer_id="C", segment="S1", region="Süd", loyalty_member=False),
    dict(customer_id="D", segment="S2", region="Nord", loyalty_member=True),
]


@pytest.fixture(scope="session")
def fixture_workspace(tmp_path_factory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("fixture_ws"), transactions=FIXTURE_TRANSACTIONS,
                          customers=FIXTURE_CUSTOMERS)


@pytest.fixture()
def fixture_con(fixture_workspace):
    con = connect(fixture_workspace.snapshot())
    yield con
    con.close()
