"""Table exports for managers' own tools: CSV (plain or German Excel flavour) and typed .xlsx."""

from __future__ import annotations

import io

import pandas as pd


def to_csv(df: pd.DataFrame, german_excel: bool = False) -> bytes:
    """Plain CSV (`,`, `.`, UTF-8) or the format German Excel opens directly: `;`, decimal comma,
    dates as dd.mm.yyyy, UTF-8 with byte order mark (so umlauts survive)."""
    if not german_excel:
        return df.to_csv(index=False).encode("utf-8")
    text = df.to_csv(index=False, sep=";", decimal=",", date_format="%d.%m.%Y")
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(df: pd.DataFrame, sheet_name: str = "Daten") -> bytes:
    """An .xlsx workbook with real number/date cells, a frozen header row and sensible widths."""
    buffer = io.BytesIO()
    clean = df.copy()
    for column in clean.columns:
        if isinstance(clean[column].dtype, pd.DatetimeTZDtype):
            clean[column] = clean[column].dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        clean.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        sheet.freeze_panes = "A2"
        for idx, column in enumerate(clean.columns, start=1):
            # pandas 3 keeps NaN through astype(str), so missing values are measured as empty text
            values = ["" if pd.isna(v) else str(v) for v in clean[column].head(200).tolist()]
            width = min(max([len(str(column))] + [len(v) for v in values]) + 2, 60)
            sheet.column_dimensions[sheet.cell(row=1, column=idx).column_letter].width = width
            if pd.api.types.is_datetime64_any_dtype(clean[column]):
                for cell in sheet.iter_cols(min_col=idx, max_col=idx, min_row=2):
                    for item in cell:
                        item.number_format = "DD.MM.YYYY"
    return buffer.getvalue()
