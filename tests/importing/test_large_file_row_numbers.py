"""Row numbers in the rejects report stay exact on a file large enough for DuckDB to read in parallel."""

import duckdb
import pytest

from loyalty.importing import prepare_import

pytestmark = pytest.mark.slow
BAD_ROWS = [2, 1000, 150_000, 300_001, 399_999]  # file rows (header = row 1)


def test_reject_row_numbers_and_preview_follow_the_file_order(tmp_path):
    path = tmp_path / "big.csv"
    bad = ", ".join(str(r - 1) for r in BAD_ROWS)  # data row index i sits on file row i + 1
    duckdb.connect().execute(
        "copy (select 'K' || lpad(cast(i % 5000 as varchar), 6, '0') as Kundennummer, "
        "strftime(date '2025-01-01' + cast(i % 365 as integer), '%d.%m.%Y') as Belegdatum, "
        f"case when i in ({bad}) then 'abc' else replace(cast((i % 997) / 10.0 as varchar), '.', ',') end "
        "as Umsatz, 'B' || lpad(cast(i as varchar), 7, '0') as Belegnummer "
        f"from range(1, 400000) t(i)) to '{path}' (header, delimiter ';')")
    with prepare_import(path) as prepared:
        assert sorted(prepared.result.rejects["row"].tolist()) == BAD_ROWS
        assert prepared.result.rows_read == 399_999
        assert prepared.result.preview["order_id"].iloc[0] == "B0000002"  # row 2 is rejected
