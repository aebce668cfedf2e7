"""Row validation in DuckDB: parse every mapped column, check it against the contract, collect rejects.

One `create table staged as select ...` over the source parses and checks every row in a single streamed
pass. Per contract column it keeps the typed value (NULL when the row is bad), an error code and, for bad
values only, the original text. Rejects (row, column, field, value, reason_code, reason) are then read
from the bad rows only, so the cost of a clean 10-million-row file is the one pass plus the final copy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from loyalty.contract import Column, Table, conform
from loyalty.importing.formats import (
    MAX_YEAR,
    MIN_YEAR,
    ColumnFormat,
    sql_allowed_parse,
    sql_bool_parse,
    sql_date_stages,
    sql_number_stages,
    sql_str,
    sql_trim,
)
from loyalty.importing.reader import Source

REJECT_COLUMNS = ["row", "column", "field", "value", "reason_code", "reason"]
# internal error code -> public reason_code
REASON_CODES = {
    "empty_required": "empty_required",
    "one_of": "empty_required",
    "invalid_number": "invalid_number",
    "not_whole_number": "invalid_number",
    "invalid_date": "invalid_date",
    "implausible_date": "invalid_date",
    "invalid_bool": "invalid_bool",
    "out_of_range": "out_of_range",
    "not_allowed": "not_allowed",
}
VALUE_IN_TEXT = 80  # characters of the bad value repeated in the reason text


@dataclass(frozen=True)
class Counts:
    rows_read: int  # data rows that are not empty
    rows_accepted: int
    rows_rejected: int
    rows_empty: int  # empty rows and lines (skipped, not counted as read)
    reject_entries: int  # one row can have several problems


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def range_text(col: Column) -> str:
    if col.min is None and col.max is None:
        return f"{col.name} is out of range"
    if col.min is not None and col.max is not None:
        return f"{col.name} must be between {_fmt_num(col.min)} and {_fmt_num(col.max)}"
    if col.min == 0:
        return f"{col.name} must not be negative"
    if col.min is not None:
        return f"{col.name} must be at least {_fmt_num(col.min)}"
    return f"{col.name} must be at most {_fmt_num(col.max)}"


def reason_texts(col: Column, one_of: tuple[str, ...] = ()) -> dict[str, str]:
    """English reason per internal error code; '{value}' is replaced by the bad value."""
    allowed = ", ".join(col.allowed or ())
    return {
        "empty_required": "required value is empty",
        "one_of": f"at least one of {', '.join(one_of)} is required",
        "invalid_number": "not a number ({value})",
        "not_whole_number": "not a whole number ({value})",
        "invalid_date": "not a valid date ({value})",
        "implausible_date": "date outside the years 1900-2100 ({value})",
        "invalid_bool": "not a yes/no value ({value})",
        "out_of_range": range_text(col),
        "not_allowed": f"'{{value}}' is not an allowed {col.name} (allowed: {allowed})",
    }


def _text_sql(text: str, value_sql: str) -> str:
    """SQL for `text` with each '{value}' replaced by `value_sql`."""
    out = []
    for k, piece in enumerate(text.split("{value}")):
        if k:
            out.append(value_sql)
        if piece:
            out.append(sql_str(piece))
    return " || ".join(out) or "''"


def staging_sql(spec: Table, source: Source, mapping: dict[str, int], formats: dict[str, ColumnFormat]) -> str:
    """SELECT that parses and checks every row. `mapping` is contract column -> source column index.

    Output per row: `_row` (Excel/Parquet only), `_empty`, `_bad`, and per mapped column its stored value
    (NULL when the row is bad), `err_<col>` (internal error code) and `bad_<col>` (the text, for bad values)."""
    targets = [c for c in spec.columns if c.name in mapping]
    l1 = [f"{source.row_sql} as _row"] if source.row_sql else []
    l1.append(f"{source.blank_sql or 'false'} as _blank")
    for idx in sorted(set(mapping.values())):
        l1.append(f"{sql_trim(source.columns[idx])} as s{idx}")
    stages: dict[str, list[str]] = {}
    for col in targets:
        fmt = formats[col.name]
        if col.type in ("number", "int"):
            stages[col.name] = sql_number_stages(fmt.decimal or ".")
        elif col.type == "date":
            stages[col.name] = sql_date_stages(fmt.date_format or "%Y-%m-%d")
        elif col.type == "bool":
            stages[col.name] = [sql_bool_parse("{x}", fmt.x_empty)]
        elif fmt.allowed:
            stages[col.name] = [sql_allowed_parse("{x}", fmt.allowed)]
        else:
            stages[col.name] = ["{x}"]
    levels = [", ".join(l1)]
    levels.append(", ".join(["*"] + [f"s{mapping[c.name]} as {_q(f'v_{c.name}')}" for c in targets]))
    for j in range(max((len(st) for st in stages.values()), default=0)):
        cols = ["*"]
        for col in targets:
            if j < len(stages[col.name]):
                prev = _q(f"v_{col.name}") if j == 0 else _q(f"q{j - 1}_{col.name}")
                cols.append(f"{stages[col.name][j].replace('{x}', prev)} as {_q(f'q{j}_{col.name}')}")
        levels.append(", ".join(cols))
    errs = ["*"]
    out = []
    for col in targets:
        n = col.name
        v, p, err = _q(f"v_{n}"), _q(f"q{len(stages[n]) - 1}_{n}"), _q(f"err_{n}")
        checks = [f"when {v} is null then {sql_str('empty_required') if col.required else 'null'}"]
        if col.type in ("number", "int"):
            checks.append(f"when {p} is null or not isfinite({p}) then 'invalid_number'")
        elif col.type == "date":
            checks.append(f"when {p} is null then 'invalid_date'")
            checks.append(f"when year({p}) not between {MIN_YEAR} and {MAX_YEAR} then 'implausible_date'")
        elif col.type == "bool":
            checks.append(f"when {p} is null then 'invalid_bool'")
        elif formats[n].allowed:
            checks.append(f"when {p} is null then 'not_allowed'")
        if col.type == "int":
            checks.append(f"when {p} <> trunc({p}) or abs({p}) >= 9e15 then 'not_whole_number'")
        if col.min is not None:
            checks.append(f"when {p} < {col.min!r} then 'out_of_range'")
        if col.max is not None:
            checks.append(f"when {p} > {col.max!r} then 'out_of_range'")
        errs.append(f"(case {' '.join(checks)} end) as {err}")
        value = f"cast({p} as bigint)" if col.type == "int" else p
        out.append(f"(case when {err} is null then {value} end) as {_q(n)}")
        out.append(err)
        out.append(f"(case when {err} is not null then {v} end) as {_q(f'bad_{n}')}")
    one_of = [c for c in spec.one_of if c in mapping]
    if one_of:
        cond = " and ".join(f"{_q(f'v_{c}')} is null" for c in one_of)
        errs.append(f"(case when {cond} then 'one_of' end) as err__one_of")
        out.append("err__one_of")
    levels.append(", ".join(errs))
    errors = [_q(f"err_{c.name}") for c in targets] + (["err__one_of"] if one_of else [])
    empty = " and ".join(f"{_q(f'v_{c.name}')} is null" for c in targets) or "true"
    bad = " or ".join(f"{e} is not null" for e in errors) or "false"
    head = (["_row"] if source.row_sql else []) + [f"(_blank or ({empty})) as _empty",
                                                     f"(not (_blank or ({empty})) and ({bad})) as _bad"]
    ctes = [f"l0 as (select {levels[0]} from {source.from_sql})"]
    ctes += [f"l{i} as (select {cols} from l{i - 1})" for i, cols in enumerate(levels[1:], start=1)]
    return f"with {', '.join(ctes)} select {', '.join(head + out)} from l{len(levels) - 1}"


def execute_with_progress(con: duckdb.DuckDBPyConnection, sql: str, progress=None, message: str = "") -> None:
    """Run one long statement in a worker thread; report DuckDB's progress (0..1) from the calling thread,
    so a UI callback is always called from the thread that started the import. Ctrl-C interrupts it."""
    if progress is None:
        con.execute(sql)
        return
    con.execute("set enable_progress_bar=true")
    con.execute("set enable_progress_bar_print=false")
    failure: list[BaseException] = []

    def work() -> None:
        try:
            con.execute(sql)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="loyalty-import", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.25)
            done = con.query_progress()
            if worker.is_alive() and done >= 0:
                progress(min(done, 100.0) / 100.0, message)
    except BaseException:
        con.interrupt()
        worker.join()
        raise
    if failure:
        raise failure[0]


def run(con: duckdb.DuckDBPyConnection, spec: Table, source: Source, mapping: dict[str, int],
        formats: dict[str, ColumnFormat], headers: list[str], work: Path, progress=None) -> Counts:
    """Write every parsed and checked row to `staged.parquet` (in source order) and create the views
    `staged` and `rejects`; return the counts. `progress(fraction, message)` follows the main pass."""
    staged = work / "staged.parquet"
    # One thread for this pass: with several, DuckDB may write a large CSV's chunks out of order even with
    # preserve_insertion_order, and the row numbers in the rejects report would be wrong.
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    con.execute("set threads=1")
    try:
        execute_with_progress(con, f"copy ({staging_sql(spec, source, mapping, formats)}) to {sql_str(str(staged))} "
                              "(format parquet, compression snappy)", progress, "checking every row")
    finally:
        con.execute(f"set threads={int(threads)}")
    # with preserve_insertion_order the file keeps the source order, so file_row_number is the position;
    # later statements need no order (and use less memory without it)
    con.execute("set preserve_insertion_order=false")
    con.execute(f"create view staged as select * from read_parquet({sql_str(str(staged))}, file_row_number=true)")
    _bad_rows(con, source)
    _rejects(con, spec, source, mapping, headers)
    n, bad, empty = con.execute(
        "select count(*) filter (where not _empty), count(*) filter (where _bad), count(*) filter (where _empty) "
        "from staged").fetchone()
    structural = con.execute("select count(distinct line) from csv_rejects").fetchone()[0] if source.csv_rejects else 0
    entries = con.execute("select count(*) from rejects").fetchone()[0]
    read = int(n) + int(structural)
    rejected = int(bad) + int(structural)
    return Counts(read, read - rejected, rejected, int(empty), int(entries))


def _bad_rows(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    if source.row_sql:
        con.execute("create table bad_rows as select * from staged where _bad")
        return
    # CSV: file_row_number counts the rows DuckDB returned, in file order; rows it rejected as malformed are
    # missing from `staged`, so each bad row's number is file_row_number + 2 + (malformed rows before it).
    con.execute(
        "create table row_shift as select a, max(k) as k from (select line - row_number() over (order by line) - 1 "
        "as a, row_number() over (order by line) as k from (select distinct line from csv_rejects)) group by a")
    con.execute(
        "create table bad_rows as select s.file_row_number + 2 + coalesce(t.k, 0) as _row, s.* "
        "from (select * from staged where _bad) s asof left join row_shift t on s.file_row_number >= t.a")


def _rejects(con, spec: Table, source: Source, mapping: dict[str, int], headers: list[str]) -> None:
    parts = []
    for col in spec.columns:
        if col.name not in mapping:
            continue
        idx = mapping[col.name]
        bad, err = _q(f"bad_{col.name}"), _q(f"err_{col.name}")
        texts = reason_texts(col)
        shown = f"left({bad}, {VALUE_IN_TEXT})"
        reason = " ".join(f"when {sql_str(code)} then {_text_sql(text, shown)}"
                          for code, text in texts.items() if code != "one_of")
        code = " ".join(f"when {sql_str(k)} then {sql_str(v)}" for k, v in REASON_CODES.items())
        parts.append(
            f"select _row as row, {idx} as ord, {sql_str(headers[idx])} as \"column\", {sql_str(col.name)} as field, "
            f"{bad} as value, (case {err} {code} end) as reason_code, (case {err} {reason} end) as reason "
            f"from bad_rows where {err} is not null")
    one_of = [c for c in spec.one_of if c in mapping]
    if one_of:
        cols = ", ".join(headers[mapping[c]] for c in one_of)
        text = reason_texts(spec.column(one_of[0]), tuple(one_of))["one_of"]
        parts.append(
            f"select _row as row, {min(mapping[c] for c in one_of)} as ord, {sql_str(cols)} as \"column\", "
            f"{sql_str(', '.join(one_of))} as field, null as value, 'empty_required' as reason_code, "
            f"{sql_str(text)} as reason from bad_rows where err__one_of is not null")
    if source.csv_rejects:
        width = len(headers)
        names = " ".join(f"when 'c{i}' then {sql_str(h)}" for i, h in enumerate(headers))
        found = "regexp_extract(error_message, 'Found: (\\d+)', 1)"
        parts.append(
            f"select line as row, -1 as ord, coalesce(case column_name {names} end, '') as \"column\", '' as field, "
            f"left(trim(csv_line, chr(10) || chr(13)), 200) as value, "
            f"(case when error_type = 'INVALID ENCODING' then 'invalid_encoding' else 'malformed_row' end) as reason_code, "
            f"(case error_type "
            f"when 'MISSING COLUMNS' then 'row has ' || {found} || ' fields instead of {width}' "
            f"when 'TOO MANY COLUMNS' then 'row has ' || {found} || ' fields instead of {width}' "
            f"when 'UNQUOTED VALUE' then 'a quote is not closed; this row and the rest of the file could not be read' "
            f"when 'INVALID ENCODING' then 'characters that are not valid UTF-8 (choose the encoding cp1252)' "
            f"when 'LINE SIZE OVER MAXIMUM' then 'row is longer than 2 MB (the limit per row)' "
            f"else 'row could not be read: ' || error_message end) as reason "
            f"from {source.csv_rejects} qualify row_number() over (partition by line order by column_idx) = 1")
    body = " union all ".join(parts) if parts else (
        "select null::bigint as row, 0 as ord, null::varchar as \"column\", null::varchar as field, "
        "null::varchar as value, null::varchar as reason_code, null::varchar as reason where false")
    con.execute(f"create table rejects as select cast(row as bigint) as row, \"column\", field, value, reason_code, reason "
                f"from ({body}) order by row, ord")


def output_columns(spec: Table, mapping: dict[str, int]) -> str:
    """The contract columns in order; unmapped ones as typed NULLs."""
    return ", ".join(_q(c.name) if c.name in mapping else f"cast(null as {c.sql_type}) as {_q(c.name)}"
                     for c in spec.columns)


def preview(con: duckdb.DuckDBPyConnection, spec: Table, mapping: dict[str, int], limit: int = 20) -> pd.DataFrame:
    """The first accepted rows exactly as they will be stored (contract columns and types)."""
    order = "file_row_number"
    arrow = con.sql(f"select {output_columns(spec, mapping)} from staged where not _empty and not _bad "
                    f"order by {order} limit {int(limit)}").to_arrow_table()
    return conform(spec.name, arrow).to_pandas(types_mapper=_types_mapper)


def _types_mapper(dtype: pa.DataType):
    # nullable pandas dtypes, so that an int column with gaps stays int and a bool stays bool
    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}.get(dtype)


def copy_accepted(con: duckdb.DuckDBPyConnection, spec: Table, mapping: dict[str, int], path: Path) -> None:
    cols = ", ".join(_q(c.name) for c in spec.columns if c.name in mapping)
    target = str(path).replace("'", "''")
    con.execute(f"copy (select {cols} from staged where not _empty and not _bad) to '{target}' "
                f"(format parquet, compression snappy)")


def rejects_frame(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pd.DataFrame:
    sql = "select * from rejects" + (f" limit {int(limit)}" if limit is not None else "")
    df = con.execute(sql).df()
    return df[REJECT_COLUMNS] if not df.empty else pd.DataFrame(columns=REJECT_COLUMNS)


def write_rejects(con: duckdb.DuckDBPyConnection, path: Path, file_format: str = "csv") -> Path:
    """All rejects as CSV (UTF-8 with BOM so Excel shows umlauts, comma-separated, header row) or Parquet."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    if file_format == "parquet":
        con.execute(f"copy rejects to '{target}' (format parquet)")
        return path
    tmp = path.with_name(path.name + ".tmp")
    con.execute(f"copy rejects to '{str(tmp).replace(chr(39), chr(39) * 2)}' (format csv, header true, delimiter ',')")
    with open(path, "wb") as out, open(tmp, "rb") as src:
        out.write(b"\xef\xbb\xbf")
        while chunk := src.read(1 << 20):
            out.write(chunk)
    tmp.unlink()
    return path
