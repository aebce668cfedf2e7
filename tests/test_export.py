"""loyalty/export.py: German Excel CSV and .xlsx read back to the same numbers."""

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from loyalty.export import to_csv, to_xlsx

FRAME = pd.DataFrame({
    "Kunde": ["K1", "K2"],
    "Umsatz": [1234.5, -0.25],
    "Bestellungen": [3, 1],
    "Letzter Kauf": pd.to_datetime([date(2026, 1, 31), date(2025, 12, 1)]),
})


def test_german_excel_csv_reads_back_to_the_same_numbers():
    raw = to_csv(FRAME, german_excel=True)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[1] == "K1;1234,5;3;31.01.2026"
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert back["Umsatz"].tolist() == pytest.approx([1234.5, -0.25])
    assert back["Bestellungen"].tolist() == [3, 1]
    assert pd.to_datetime(back["Letzter Kauf"], format="%d.%m.%Y").dt.date.tolist() == [date(2026, 1, 31), date(2025, 12, 1)]


def test_plain_csv():
    assert to_csv(FRAME).decode().splitlines()[1].startswith("K1,1234.5,3,2026-01-31")


def test_xlsx_has_typed_cells_and_headers():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(FRAME, "Kunden")))
    sheet = book["Kunden"]
    assert [c.value for c in sheet[1]] == ["Kunde", "Umsatz", "Bestellungen", "Letzter Kauf"]
    assert sheet["B2"].value == 1234.5 and isinstance(sheet["C2"].value, int)
    assert sheet["D2"].value.date() == date(2026, 1, 31) and sheet["D2"].number_format == "DD.MM.YYYY"
