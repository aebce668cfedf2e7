"""The data contract: which tables the workspace holds, their columns, types and allowed values.

Everything that writes to the workspace goes through `conform`, so a table on disk always has exactly
the contract's columns (optional ones may be all null) with the contract's Arrow types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

ARROW_TYPES = {
    "text": pa.string(),
    "date": pa.date32(),
    "number": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
}
SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "number": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN"}

INSTRUMENTS = (
    "service", "extra_service", "bonus_program", "discount", "customer_card", "club", "event",
    "newsletter", "contract", "complaint_management", "other",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    description: str = ""
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # at least one of these columns must be filled in each row (surveys: nps or csat)
    one_of: tuple[str, ...] = field(default=())
    sort_by: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"Table {self.name!r} has no column {name!r}")

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns])


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "transactions",
            "One row per purchase line or receipt; negative revenue is a return.",
            (
                Column("customer_id", "text", True, "Customer number"),
                Column("order_date", "date", True, "Date of the purchase"),
                Column("revenue", "number", True, "Net revenue of the row; negative = return"),
                Column("order_id", "text", description="Receipt / order number"),
                Column("product_id", "text", description="Article number"),
                Column("category", "text", description="Product category (Warengruppe)"),
                Column("quantity", "int", description="Units"),
                Column("channel", "text", description="Sales channel, e.g. store, online, phone"),
                Column("store", "text", description="Store / branch"),
                Column("margin", "number", description="Contribution margin of the row"),
            ),
            sort_by=("order_date", "customer_id"),
        ),
        Table(
            "customers",
            "One row per customer with descriptive attributes.",
            (
                Column("customer_id", "text", True, "Customer number"),
                Column("segment", "text", description="Customer segment"),
                Column("region", "text", description="Region"),
                Column("signup_date", "date", description="Date the customer was registered"),
                Column("loyalty_member", "bool", description="Member of the loyalty program"),
                Column("member_since", "date", description="Date of joining the loyalty program"),
                Column("tier", "text", description="Program tier, e.g. silver, gold"),
                Column("newsletter_opt_in", "bool", description="Agreed to receive the newsletter"),
                Column("acquired_via", "text", description="How the customer was won: referral, ad, store, ..."),
                Column("referred_by", "text", description="customer_id of the recommending customer"),
            ),
            sort_by=("customer_id",),
        ),
        Table(
            "surveys",
            "Satisfaction survey answers; customer_id may be empty for anonymous answers.",
            (
                Column("response_date", "date", True, "Date of the answer"),
                Column("customer_id", "text", description="Customer number (empty = anonymous)"),
                Column("nps", "int", description="Likelihood to recommend, 0-10", min=0, max=10),
                Column("csat", "int", description="Satisfaction, 1-5", min=1, max=5),
                Column("touchpoint", "text", description="Where the customer was asked"),
                Column("comment", "text", description="Free-text comment"),
            ),
            one_of=("nps", "csat"),
            sort_by=("response_date",),
        ),
        Table(
            "contacts",
            "Service contacts and complaints.",
            (
                Column("contact_date", "date", True, "Date of the contact"),
                Column("customer_id", "text", description="Customer number"),
                Column("channel", "text", description="phone, email, letter, chat, store, ..."),
                Column("type", "text", description="inquiry, complaint, ..."),
                Column("reason", "text", description="Reason of the contact"),
                Column("resolved_date", "date", description="Date the case was closed"),
                Column("compensation_cost", "number", description="Goodwill / compensation paid", min=0),
            ),
            sort_by=("contact_date",),
        ),
        Table(
            "measures",
            "Loyalty instruments and campaigns.",
            (
                Column("measure_id", "text", True, "Identifier of the measure"),
                Column("name", "text", True, "Name of the measure"),
                Column("instrument", "text", True, "Kind of loyalty instrument", allowed=INSTRUMENTS),
                Column("start_date", "date", True, "First day"),
                Column("end_date", "date", description="Last day (empty = ongoing)"),
                Column("target_segment", "text", description="Segment the measure addresses"),
                Column("fixed_cost", "number", description="Fixed cost", min=0),
                Column("cost_per_participant", "number", description="Variable cost per participant", min=0),
            ),
        ),
        Table(
            "measure_participants",
            "Which customers took part in a measure (treatment) or were held out (control).",
            (
                Column("measure_id", "text", True, "Identifier of the measure"),
                Column("customer_id", "text", True, "Customer number"),
                Column("group", "text", True, "treatment or control", allowed=("treatment", "control")),
                Column("assigned_date", "date", description="Date of assignment"),
            ),
        ),
        Table(
            "targets",
            "Targets per KPI, period and optionally segment.",
            (
                Column("kpi", "text", True, "KPI name, e.g. repeat_purchase_rate"),
                Column("period_start", "date", True, "First day of the target period"),
                Column("period_end", "date", True, "Last day of the target period"),
                Column("segment", "text", description="Segment (empty = all customers)"),
                Column("target", "number", True, "Target value"),
            ),
        ),
        Table(
            "points",
            "Bonus points ledger (optional).",
            (
                Column("customer_id", "text", True, "Customer number"),
                Column("date", "date", True, "Booking date"),
                Column("points", "number", True, "Points booked"),
                Column("type", "text", True, "earn, redeem or expire", allowed=("earn", "redeem", "expire")),
                Column("value_per_point", "number", description="Money value of one point", min=0),
            ),
            sort_by=("date",),
        ),
    )
}

KPIS = (
    "active_customers", "orders", "revenue", "avg_order_value", "repeat_purchase_rate",
    "orders_per_customer", "nps", "csat", "cross_buying_rate", "churn_rate",
)


class ContractError(ValueError):
    """Data does not fit the contract; the message says which table and column."""


def get_table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ContractError(f"Unknown table {name!r}; known tables: {', '.join(TABLES)}") from None


def conform(table_name: str, data: pa.Table) -> pa.Table:
    """Return `data` with exactly the contract's columns, in order, cast to the contract's types.

    Missing optional columns are added as nulls; unknown columns are an error (the importer maps and
    drops them before). Raises ContractError when a required column is missing or has nulls.
    """
    table = get_table(table_name)
    unknown = [n for n in data.column_names if n not in table.column_names]
    if unknown:
        raise ContractError(f"{table_name}: columns not in the data contract: {', '.join(unknown)}")
    arrays = []
    for col in table.columns:
        if col.name in data.column_names:
            arr = data.column(col.name)
            try:
                arr = arr.cast(col.arrow_type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ContractError(f"{table_name}.{col.name}: values are not of type {col.type}: {exc}") from exc
        else:
            if col.required:
                raise ContractError(f"{table_name}: required column {col.name!r} is missing")
            arr = pa.nulls(data.num_rows, type=col.arrow_type)
        if col.required and arr.null_count:
            raise ContractError(f"{table_name}.{col.name}: {arr.null_count} empty values in a required column")
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema)


def markdown_tables() -> str:
    """The contract as Markdown (docs/data-contract.md embeds this; a test keeps them equal)."""
    out = []
    for table in TABLES.values():
        out.append(f"### `{table.name}`\n\n{table.description}\n")
        out.append("| column | type | required | meaning | allowed values |\n|---|---|---|---|---|")
        for c in table.columns:
            allowed = ", ".join(c.allowed) if c.allowed else (
                f"{c.min:g} to {c.max:g}" if c.min is not None and c.max is not None else
                f">= {c.min:g}" if c.min is not None else "")
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {c.description} | {allowed} |")
        if table.one_of:
            out.append(f"\nEach row needs at least one of: {', '.join(table.one_of)}.")
        out.append("")
    return "\n".join(out)
