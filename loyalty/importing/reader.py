"""Open an analyst's export: file type, encoding, delimiter, headers, a text sample, and a DuckDB source.

Everything is streamed: CSV files are never loaded as Python objects. A CSV that is not UTF-8 (cp1252,
latin-1, UTF-16) is re-encoded chunk by chunk into a UTF-8 temporary file; DuckDB then reads every column
as VARCHAR with explicit delimiter/quote/header and records malformed rows in a rejects table. Excel
files are read with openpyxl (read-only, row by row) into a temporary Parquet file of text columns.
Parquet files are read by DuckDB directly; typed columns are turned into canonical text (ISO dates,
decimal point) so that all three kinds go through the same parsing and validation.

Row numbers ("row" in rejects) are the numbers a spreadsheet shows: the header is row 1, the first data
row is row 2. For CSV a row is a record: a quoted value with line breaks stays one row, and empty lines
count as rows (they are skipped, never rejected). To keep that numbering, empty lines between records
(which DuckDB skips) are replaced by a marker row while streaming; quotes are tracked by counting them,
so a stray unbalanced quote inside an unquoted value can shift the numbers of rows after an empty line.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from loyalty.importing.errors import ImportFileError
from loyalty.importing.formats import sql_str

Progress = Callable[[float, str], None]

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "';'", ",": "','", "\t": "tab", "|": "'|'"}
HEAD_BYTES = 4 * 1024 * 1024  # read for encoding/delimiter detection and the sample
CHUNK_BYTES = 8 * 1024 * 1024  # streaming chunk when re-encoding
BLANK_MARKER = "__loyalty_empty_line__"
EXCEL_BATCH = 50_000

_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls / .doc


def _latin1_fallback(err: UnicodeDecodeError):
    # cp1252 leaves five bytes undefined; read them as latin-1 (control characters) instead of failing
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("loyalty_latin1", _latin1_fallback)
csv.field_size_limit(max(csv.field_size_limit(), 4 * 1024 * 1024))  # long comments in the sample (DuckDB: 2 MB/row)


@dataclass(frozen=True)
class FileInfo:
    """What was found out about the file; shown to the user as 'detected formats'."""

    path: Path
    name: str  # the file name the user knows (an upload's original name)
    kind: str  # csv, xlsx, parquet
    size: int
    headers: tuple[str, ...]
    encoding: str | None = None  # csv: utf-8, utf-8-sig (with BOM), cp1252, latin-1, utf-16
    encoding_source: str = "detected"  # detected or user
    delimiter: str | None = None  # csv
    delimiter_source: str = "detected"
    quote: str | None = None  # csv
    sheet: str | None = None  # xlsx
    sheets: tuple[str, ...] = ()
    native: dict[str, str] = field(default_factory=dict)  # xlsx/parquet: header -> number/date/bool/text/mixed
    raw_headers: tuple[str, ...] = ()  # headers as written (before making them unique)
    ascii_sample: bool = False  # csv: the sample had no non-ASCII byte, so the encoding is not proven yet

    def describe(self) -> str:
        if self.kind == "csv":
            enc = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252 (cp1252)",
                   "latin-1": "Latin-1", "utf-16": "UTF-16"}.get(self.encoding or "", self.encoding)
            return f"CSV, delimiter {DELIMITER_NAMES.get(self.delimiter or '', repr(self.delimiter))}, encoding {enc}"
        if self.kind == "xlsx":
            return f"Excel workbook, sheet {self.sheet!r}"
        return "Parquet"

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "size": self.size, "encoding": self.encoding,
                "delimiter": self.delimiter, "sheet": self.sheet, "sheets": list(self.sheets),
                "headers": list(self.headers), "description": self.describe()}


@dataclass(frozen=True)
class Sample:
    info: FileInfo
    rows: list[list[str | None]]  # text values, one list per data row (len == number of headers)
    complete: bool  # the sample holds every row of the file


@dataclass(frozen=True)
class Source:
    """A DuckDB table expression over the whole file with text columns c0..cN."""

    from_sql: str
    columns: list[str]  # SQL expression (VARCHAR) per header
    row_sql: str | None  # source row number, or None: computed from the position and the CSV rejects (validate)
    csv_rejects: str | None = None  # name of DuckDB's rejects table for this scan
    blank_sql: str | None = None  # true for the marker rows that stand for empty lines


# ------------------------------------------------------------------ detection
def unique_headers(raw: list[object]) -> list[str]:
    """Trimmed header texts; empty ones become 'column 3', repeated ones 'Datum (2)'."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(raw):
        text = str(h).strip().lstrip("\ufeff").strip() if h is not None else ""
        text = text or f"column {i + 1}"
        n = seen.get(text.lower(), 0) + 1
        seen[text.lower()] = n
        out.append(text if n == 1 else f"{text} ({n})")
    return out


def file_kind(path: Path, name: str) -> str:
    ext = Path(name).suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if path.stat().st_size == 0:
        raise ImportFileError(f"The file {name} is empty; export the data again with a header row and data rows.",
                              code="empty_file")
    if ext == ".xls" or head.startswith(_OLE_MAGIC):
        raise ImportFileError(f"{name} is an old Excel .xls file, which is not supported; save it as .xlsx or CSV "
                              "and import that.", code="unsupported_type")
    if ext in PARQUET_EXTENSIONS or head.startswith(_PARQUET_MAGIC):
        if not head.startswith(_PARQUET_MAGIC):
            raise ImportFileError(f"{name} is not a valid Parquet file; export it again or save it as CSV.",
                                  code="unreadable")
        return "parquet"
    if ext in EXCEL_EXTENSIONS or head.startswith(_ZIP_MAGIC):
        if not head.startswith(_ZIP_MAGIC) or not _is_xlsx(path):
            raise ImportFileError(f"{name} is not a valid Excel .xlsx workbook; open it in Excel, save it as .xlsx "
                                  "or CSV and import that.", code="unreadable")
        return "xlsx"
    if ext in CSV_EXTENSIONS:
        return "csv"
    raise ImportFileError(
        f"Files of type {ext or '(no extension)'} are not supported; export the data as CSV (.csv, .txt, .tsv), "
        "Excel (.xlsx) or Parquet (.parquet).", code="unsupported_type")


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def normalize_encoding(name: str) -> str:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ImportFileError(f"Unknown encoding {name!r}; use utf-8, cp1252 or latin-1.", code="bad_option") from None
    return {"iso8859-1": "latin-1", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(codec, codec)


def detect_encoding(head: bytes, complete: bool) -> str:
    """utf-8-sig / utf-16 by BOM, else utf-8 if the sample decodes, else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few bad bytes is a UTF-8 file with damaged rows (they are rejected);
    # Windows text almost never forms valid UTF-8 sequences by chance.
    text = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape").decode(head, final=complete)
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return "utf-8" if good >= bad else "cp1252"


def _looks_binary(head: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        return False
    sample = head[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(5, len(sample) // 100)


def _decode(data: bytes, encoding: str, final: bool) -> str:
    errors = "loyalty_latin1" if encoding == "cp1252" else "replace"
    return codecs.getincrementaldecoder(encoding)(errors=errors).decode(data, final=final)


def _records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    out = []
    try:
        for rec in reader:
            out.append(rec)
            if limit is not None and len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def detect_delimiter(text: str) -> str | None:
    """The candidate that splits the header into most columns and the first rows consistently; None if
    every candidate leaves a single column."""
    best: tuple[float, int, str] | None = None
    for d in DELIMITERS:
        recs = [r for r in _records(text, d, limit=200) if r]
        if not recs or len(recs[0]) < 2:
            continue
        width = len(recs[0])
        rows = recs[1:] or recs
        consistency = sum(1 for r in rows if len(r) == width) / len(rows)
        key = (round(consistency, 2), width, d)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def _csv_info(path: Path, name: str, encoding: str | None, delimiter: str | None,
              sample_rows: int) -> tuple[FileInfo, list[list[str | None]], bool]:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    complete = len(head) >= size
    enc_source = "user" if encoding else "detected"
    enc = normalize_encoding(encoding) if encoding else detect_encoding(head, complete)
    if enc == "utf-8" and head.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    if _looks_binary(head, enc):
        raise ImportFileError(f"{name} contains binary data, not text; export the data as CSV, Excel (.xlsx) or "
                              "Parquet and import that file.", code="binary")
    text = _decode(head, enc, complete).lstrip("\ufeff")
    if not complete:  # drop the last, possibly cut line
        text = text[: text.rfind("\n") + 1] if "\n" in text else text
    if not text.strip():
        raise ImportFileError(f"The file {name} is empty; export the data again with a header row and data rows.",
                              code="empty_file")
    if text.startswith(("\n", "\r")):
        raise ImportFileError(f"The first line of {name} is empty; the first line must hold the column headers.",
                              code="unreadable")
    delim_source = "user" if delimiter else "detected"
    if delimiter:
        delimiter = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
            raise ImportFileError(f"The delimiter must be a single character such as ; , | or tab, not {delimiter!r}.",
                                  code="bad_option")
    else:
        delimiter = detect_delimiter(text)
        if delimiter is None:  # a single column: pick a delimiter that does not occur in the sample
            delimiter = next((d for d in ("\t", "|", ";", ",") if d not in text), "\t")
    records = _records(text, delimiter, limit=sample_rows + 1)
    if not complete and len(records) > 1:
        records = records[:-1]  # the last record may be cut at the sample's end
    raw_headers = records[0]
    headers = unique_headers(raw_headers)
    width = len(headers)
    rows: list[list[str | None]] = []
    for rec in records[1:]:
        if not rec:
            continue
        rec = (rec + [""] * width)[:width]
        rows.append([v if v.strip() else None for v in rec])
    info = FileInfo(path, name, "csv", size, tuple(headers), enc, enc_source, delimiter, delim_source, '"',
                    raw_headers=tuple(raw_headers), ascii_sample=head.isascii())
    return info, rows, complete and len(records) <= sample_rows + 1


# ------------------------------------------------------------------ Excel
def _cell_text(value) -> tuple[str | None, str]:
    """Text of a cell value and its kind (number, date, bool, text)."""
    if value is None:
        return None, "empty"
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value), "text"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), "number"
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(value, ".15f").rstrip("0").rstrip(".")
        return text, "number"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat(), "date"
        return value.isoformat(sep=" ", timespec="seconds"), "date"
    if isinstance(value, date):
        return value.isoformat(), "date"
    if isinstance(value, time):
        return value.isoformat(), "text"
    text = str(value).strip()
    return (text or None), "text"


def _open_workbook(path: Path, name: str):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
        raise ImportFileError(f"{name} could not be opened as an Excel workbook ({type(exc).__name__}); open it in "
                              "Excel, save it as .xlsx or CSV and import that.", code="unreadable") from exc


def _pick_sheet(wb, name: str, sheet: str | None):
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise ImportFileError(f"{name} has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}.",
                                  code="bad_option")
        return wb[sheet]
    for ws in wb.worksheets:
        first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if first and any(v is not None and str(v).strip() for v in first):
            return ws
    raise ImportFileError(f"No sheet of {name} has column headers in its first row; put the headers in row 1.",
                          code="empty_file")


def _xlsx_info(path: Path, name: str, sheet: str | None, sample_rows: int):
    wb = _open_workbook(path, name)
    try:
        ws = _pick_sheet(wb, name, sheet)
        rows_iter = ws.iter_rows(min_row=1, values_only=True)
        header_cells = list(next(rows_iter, ()) or ())
        while header_cells and (header_cells[-1] is None or not str(header_cells[-1]).strip()):
            header_cells.pop()
        if not header_cells:
            raise ImportFileError(f"The first row of sheet {ws.title!r} in {name} is empty; the first row must hold "
                                  "the column headers.", code="empty_file")
        headers = unique_headers([_cell_text(v)[0] for v in header_cells])
        width = len(headers)
        kinds: list[set[str]] = [set() for _ in headers]
        rows: list[list[str | None]] = []
        complete = True
        for values in rows_iter:
            if len(rows) >= sample_rows:
                complete = False
                break
            texts = []
            for i in range(width):
                text, kind = _cell_text(values[i] if i < len(values) else None)
                texts.append(text)
                if kind != "empty":
                    kinds[i].add(kind)
            if any(t is not None for t in texts):
                rows.append(texts)
        native = {h: (next(iter(k)) if len(k) == 1 else ("mixed" if k else "empty")) for h, k in zip(headers, kinds)}
        info = FileInfo(path, name, "xlsx", path.stat().st_size, tuple(headers), sheet=ws.title,
                        sheets=tuple(wb.sheetnames), native=native, raw_headers=tuple(map(str, header_cells)))
        return info, rows, complete
    finally:
        wb.close()


def excel_to_parquet(info: FileInfo, out: Path, progress: Progress | None = None) -> Source:
    """Stream the sheet into a Parquet file of text columns c0..cN plus the sheet row number `_row`."""
    wb = _open_workbook(info.path, info.name)
    width = len(info.headers)
    schema = pa.schema([pa.field("_row", pa.int64())] + [pa.field(f"c{i}", pa.string()) for i in range(width)])
    try:
        ws = wb[info.sheet]
        total = max(ws.max_row or 1, 1)
        with pq.ParquetWriter(out, schema) as writer:
            batch_rows: list[int] = []
            cols: list[list[str | None]] = [[] for _ in range(width)]
            for row_no, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                texts = [_cell_text(values[i] if i < len(values) else None)[0] for i in range(width)]
                if all(t is None for t in texts):
                    continue  # empty rows are skipped (they keep their number: `_row` is the sheet row)
                batch_rows.append(row_no)
                for i, t in enumerate(texts):
                    cols[i].append(t)
                if len(batch_rows) >= EXCEL_BATCH:
                    writer.write_batch(_batch(schema, batch_rows, cols))
                    batch_rows, cols = [], [[] for _ in range(width)]
                    if progress:
                        progress(min(row_no / total, 1.0), f"reading Excel row {row_no:,}")
            if batch_rows:
                writer.write_batch(_batch(schema, batch_rows, cols))
    finally:
        wb.close()
    return Source(f"read_parquet({sql_str(str(out))})", [f'"c{i}"' for i in range(width)], '"_row"')


def _batch(schema: pa.Schema, rows: list[int], cols: list[list[str | None]]) -> pa.RecordBatch:
    arrays = [pa.array(rows, pa.int64())] + [pa.array(c, pa.string()) for c in cols]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# ------------------------------------------------------------------ Parquet
def _parquet_columns(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> list[tuple[str, str]]:
    try:
        return [(r[0], r[1]) for r in con.execute("describe select * from read_parquet($p)", {"p": str(path)}).fetchall()]
    except duckdb.Error as exc:
        raise ImportFileError(f"{name} could not be read as a Parquet file; export it again or save it as CSV.",
                              code="unreadable") from exc


def _parquet_text(col: str, sql_type: str) -> tuple[str, str]:
    """SQL turning a typed Parquet column into canonical text, and its kind."""
    q = '"' + col.replace('"', '""') + '"'
    t = sql_type.upper()
    if t == "VARCHAR":
        return q, "text"
    if t == "DATE":
        return f"strftime({q}, '%Y-%m-%d')", "date"
    if t.startswith("TIMESTAMP"):
        return f"strftime(cast({q} as timestamp), '%Y-%m-%d %H:%M:%S')", "date"
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return (f"(case when isfinite({q}) and {q} = trunc({q}) and abs({q}) < 1e15 "
                f"then cast(cast({q} as bigint) as varchar) else cast({q} as varchar) end)"), "number"
    if t.startswith("DECIMAL") or t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                        "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"):
        return f"cast({q} as varchar)", "number"
    if t == "BOOLEAN":
        return f"cast({q} as varchar)", "bool"
    return f"cast({q} as varchar)", "text"


def _parquet_info(path: Path, name: str, sample_rows: int):
    con = duckdb.connect()
    try:
        con.execute("set TimeZone='UTC'")
        cols = _parquet_columns(con, path, name)
        if not cols:
            raise ImportFileError(f"{name} has no columns; export the data again.", code="empty_file")
        headers = unique_headers([c for c, _ in cols])
        exprs = [_parquet_text(c, t) for c, t in cols]
        native = {h: kind for h, (_, kind) in zip(headers, exprs)}
        select = ", ".join(f"{e} as c{i}" for i, (e, _) in enumerate(exprs))
        rows = con.execute(f"select {select} from read_parquet($p) limit {int(sample_rows) + 1}",
                           {"p": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise ImportFileError(f"{name} could not be read as a Parquet file; export it again or save it as CSV.",
                              code="unreadable") from exc
    finally:
        con.close()
    complete = len(rows) <= sample_rows
    sample = [[(v if v is None or str(v).strip() else None) for v in r] for r in rows[:sample_rows]]
    info = FileInfo(path, name, "parquet", path.stat().st_size, tuple(headers), native=native,
                    raw_headers=tuple(c for c, _ in cols))
    return info, sample, complete


def parquet_source(info: FileInfo) -> Source:
    con = duckdb.connect()
    try:
        cols = _parquet_columns(con, info.path, info.name)
    finally:
        con.close()
    exprs = [_parquet_text(c, t)[0] for c, t in cols]
    return Source(f"read_parquet({sql_str(str(info.path))}, file_row_number=true)", exprs, "file_row_number + 2")


# ------------------------------------------------------------------ entry points
def read_sample(path: str | Path, *, name: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, sheet: str | None = None, sample_rows: int = 10_000) -> Sample:
    """Detect the file's kind and format and read up to `sample_rows` data rows as text."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise ImportFileError(f"The file {path} does not exist or is not a file; check the path.", code="unreadable")
    kind = file_kind(path, name)
    if kind == "csv":
        info, rows, complete = _csv_info(path, name, encoding, delimiter, sample_rows)
    elif kind == "xlsx":
        info, rows, complete = _xlsx_info(path, name, sheet, sample_rows)
    else:
        info, rows, complete = _parquet_info(path, name, sample_rows)
    return Sample(info, rows, complete)


def csv_source(info: FileInfo, work_dir: Path, progress: Progress | None = None) -> tuple[Source, FileInfo]:
    """A DuckDB source over the whole CSV. Re-encodes to UTF-8 (and marks empty lines) only when needed."""
    encoding = info.encoding or "utf-8"
    path = info.path
    copy = work_dir / "source-utf8.csv"
    try:
        if encoding not in ("utf-8", "utf-8-sig"):
            path = copy
            _stream_csv(info, encoding, copy, progress, 0.0, 1.0)
        elif _stream_csv(info, encoding, None, progress, 0.0, 0.5):
            path = copy
            _stream_csv(info, encoding, copy, progress, 0.5, 0.5)
    except UnicodeDecodeError:
        # the sample was plain ASCII, a later part is not UTF-8: the file is cp1252 (Windows)
        info = replace(info, encoding="cp1252")
        path = copy
        _stream_csv(info, "cp1252", copy, progress, 0.5, 0.5)
    cols = ", ".join(f"{sql_str(f'c{i}')}: 'VARCHAR'" for i in range(len(info.headers)))
    from_sql = (
        f"read_csv({sql_str(str(path))}, delim={sql_str(info.delimiter)}, quote='\"', escape='\"', header=true, "
        f"auto_detect=false, columns={{{cols}}}, store_rejects=true, rejects_table='csv_rejects', "
        f"rejects_scan='csv_scan', encoding='utf-8')"
    )
    source = Source(from_sql, [f'"c{i}"' for i in range(len(info.headers))], None, "csv_rejects",
                    f"(c0 is not distinct from {sql_str(BLANK_MARKER)})")
    return source, info


def _stream_csv(info: FileInfo, encoding: str, out: Path | None, progress: Progress | None,
                start: float, span: float) -> bool:
    """Decode the file chunk by chunk. With `out`, write it as UTF-8 with each empty line between records
    replaced by a marker row. Without `out`, only check: returns True if a copy is needed (empty lines
    between records). Raises UnicodeDecodeError for invalid UTF-8 unless the encoding was chosen by the user."""
    if encoding == "cp1252":
        errors = "loyalty_latin1"
    elif encoding.startswith("utf-8") and info.ascii_sample and info.encoding_source != "user":
        errors = "strict"  # an invalid byte after a plain-ASCII sample means the file is cp1252 (caller switches)
    else:
        errors = "surrogateescape"  # keep invalid bytes as they are: DuckDB rejects those rows (invalid_encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    marker = BLANK_MARKER + (info.delimiter or ",") * (len(info.headers) - 1)
    size = max(info.size, 1)
    done = 0
    carry = ""
    in_quotes = False
    first = True
    sink = open(out, "w", encoding="utf-8", errors="surrogateescape", newline="") if out is not None else None
    try:
        with open(info.path, "rb") as fh:
            while True:
                raw = fh.read(CHUNK_BYTES)
                final = not raw
                done += len(raw)
                text = decoder.decode(raw, final=final)
                if first:
                    text = text.lstrip("\ufeff")
                    first = False
                buf = carry + text
                cut = len(buf) if final else max(len(buf) - 3, 0)
                pieces: list[str] = []
                emitted = counted = 0
                for i in _blank_lines(buf, cut):
                    in_quotes ^= buf.count('"', counted, i) % 2 == 1
                    counted = i
                    if in_quotes:
                        continue
                    if final and not buf[i:].strip():
                        break  # empty lines at the end of the file change no row number
                    if sink is None:
                        return True
                    pieces.append(buf[emitted:i + 1])
                    pieces.append(marker)
                    emitted = i + 1
                in_quotes ^= buf.count('"', counted, cut) % 2 == 1
                if sink is not None:
                    pieces.append(buf[emitted:cut])
                    sink.write("".join(pieces))
                carry = buf[cut:]
                if progress:
                    progress(start + span * min(done / size, 1.0), "checking the file" if sink is None
                             else "converting the file to UTF-8")
                if final:
                    break
    finally:
        if sink is not None:
            sink.close()
    return False


def _blank_lines(buf: str, cut: int):
    """Positions i < cut where buf[i] == '\\n' and the next line is empty, in order."""
    hits = []
    for pattern in ("\n\n", "\n\r\n"):
        start = 0
        while True:
            i = buf.find(pattern, start, cut + len(pattern) - 1)
            if i < 0 or i >= cut:
                break
            hits.append(i)
            start = i + 1
    return sorted(set(hits))
