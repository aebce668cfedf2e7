"""Validation of the rows analysts edit on the measures page (measures and targets registers) and their
conversion to the contract's Arrow types. Pure: no Streamlit, no workspace access.

`validate_measures` and `validate_targets` return one clause per problem (translated through `t`); the page
joins them into one sentence.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from loyalty.contract import INSTRUMENTS, KPIS, TABLES


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip()) \
        or value is pd.NaT


def validate_measures(df: pd.DataFrame, t) -> list[str]:
    """Problems that would make the register wrong; `t(key, **values)` translates. Rows count from 1."""
    errors = []
    for number, row in enumerate(df.to_dict("records"), start=1):
        for column in ("measure_id", "name", "instrument", "start_date"):
            if _blank(row.get(column)):
                errors.append(t("measures.error_required", row=number, column=t(f"measures.field.{column}")))
        if not _blank(row.get("instrument")) and row["instrument"] not in INSTRUMENTS:
            errors.append(t("measures.error_instrument", row=number, value=row["instrument"]))
        if not _blank(row.get("start_date")) and not _blank(row.get("end_date")) and \
                pd.Timestamp(row["end_date"]) < pd.Timestamp(row["start_date"]):
            errors.append(t("measures.error_dates", row=number))
        for column in ("fixed_cost", "cost_per_participant"):
            if not _blank(row.get(column)) and float(row[column]) < 0:
                errors.append(t("measures.error_negative", row=number, column=t(f"measures.field.{column}")))
    ids = df["measure_id"].dropna().astype(str).str.strip()
    for duplicate in sorted(set(ids[ids.duplicated()])):
        errors.append(t("measures.error_duplicate", value=duplicate))
    return errors


def validate_targets(df: pd.DataFrame, t) -> list[str]:
    errors = []
    for number, row in enumerate(df.to_dict("records"), start=1):
        for column in ("kpi", "period_start", "period_end", "target"):
            if _blank(row.get(column)):
                errors.append(t("measures.error_required", row=number, column=t(f"targets.field.{column}")))
        if not _blank(row.get("kpi")) and row["kpi"] not in KPIS:
            errors.append(t("targets.error_kpi", row=number, value=row["kpi"]))
        if not _blank(row.get("period_start")) and not _blank(row.get("period_end")) and \
                pd.Timestamp(row["period_end"]) < pd.Timestamp(row["period_start"]):
            errors.append(t("measures.error_dates", row=number))
    return errors


def to_arrow(df: pd.DataFrame, table_name: str) -> pa.Table:
    """Edited rows as an Arrow table with the contract's columns and types (empty text becomes null)."""
    spec = TABLES[table_name]
    arrays = []
    for column in spec.columns:
        values = df[column.name] if column.name in df else pd.Series([None] * len(df))
        if column.type == "date":
            values = pd.to_datetime(values).dt.date
        elif column.type == "text":
            values = values.map(lambda v: None if _blank(v) else str(v).strip())
        values = values.astype(object).where(values.notna(), None)
        arrays.append(pa.array(values.tolist(), type=column.arrow_type))
    return pa.Table.from_arrays(arrays, schema=spec.arrow_schema)


def one_sentence(errors: list[str], t) -> str:
    return t("measures.not_saved", problems="; ".join(errors))
