"""The import workflow: inspect -> (user confirms or corrects) -> prepare (validate, preview) -> commit.

    insp = inspect_file(path)                         # fast: reads a sample only
    insp.table, insp.mapping, insp.formats, insp.choices, insp.problems
    opts = insp.options.with_changes(mapping={"revenue": "Netto"}, date_formats={"Datum": "%d/%m/%Y"})
    with prepare_import(path, opts, progress=cb) as prepared:   # reads and checks every row, writes nothing
        prepared.result.preview, prepared.result.rejects
        result = prepared.commit(ws, mode="append", policy="accept_valid")

`import_file(ws, path, opts, ...)` does all of it in one call (the CLI uses it).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from loyalty.contract import ContractError, get_table
from loyalty.importing import reader, validate
from loyalty.importing.errors import FormatChoiceNeeded, ImportFileError
from loyalty.importing.formats import ColumnFormat, date_format_label, detect_column, normalize_date_format
from loyalty.importing.mapping import ColumnMapping, map_columns, normalize_header, suggest_tables
from loyalty.importing.reader import FileInfo, Sample

Progress = Callable[[float, str], None]
POLICIES = ("all_or_nothing", "accept_valid")
MODES = ("replace", "append")
SAMPLE_ROWS = 10_000
PREVIEW_ROWS = 20
MAX_REJECTS_IN_MEMORY = 10_000
MIN_TABLE_SCORE = 0.5  # a table is only chosen from the headers when it explains at least half of them


@dataclass(frozen=True)
class ImportOptions:
    """Everything the user can confirm or correct. Column keys may be a contract column or a header;
    the key '*' applies to every column of that kind."""

    table: str | None = None  # None: suggested from the headers
    mapping: dict[str, str | None] = field(default_factory=dict)  # {target: header}; None = leave unmapped
    date_formats: dict[str, str] = field(default_factory=dict)  # {column: '%d/%m/%Y' or 'dd/mm/yyyy'}
    decimals: dict[str, str] = field(default_factory=dict)  # {column: ',' or '.'}
    encoding: str | None = None  # None: detected (utf-8, else cp1252)
    delimiter: str | None = None  # None: detected among ; , tab |
    sheet: str | None = None  # Excel: None = first sheet with headers

    def with_changes(self, **changes) -> ImportOptions:
        """A copy with some fields replaced. Dict fields are merged (a None value in `mapping` unmaps that
        column); passing None for a dict field empties it (do that for `mapping` when the table changes)."""
        merged = {}
        for key, value in changes.items():
            current = getattr(self, key)
            if isinstance(current, dict):
                merged[key] = {} if value is None else {**current, **value}
            else:
                merged[key] = value
        return replace(self, **merged)


@dataclass
class Inspection:
    """What was detected from a sample of the file, for the user to confirm or correct."""

    file: FileInfo
    options: ImportOptions
    table: str
    table_suggested: bool  # True when the table was chosen from the headers, not given
    table_scores: list[tuple[str, float]]  # every table with a 0..1 score, best first
    mapping: ColumnMapping
    formats: dict[str, ColumnFormat]  # contract column -> how it is read
    choices: list[dict]  # formats the user must choose (ambiguous dates / decimal separators)
    sample: pd.DataFrame  # the first rows as text, with the file's headers
    sample_rows: int  # rows the detection looked at
    notices: list[str] = field(default_factory=list)
    blocking: list[ImportFileError] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Sentences that block the import (missing column, wrong delimiter, open format choices)."""
        return [str(e) for e in self.blocking]

    @property
    def ready(self) -> bool:
        return not self.blocking

    @property
    def kept_out(self) -> list[str]:
        return list(self.mapping.kept_out)

    def mapping_table(self) -> pd.DataFrame:
        """One row per contract column of the table: column, type, required, description, header (None =
        not in the file), confidence, method, format, examples. For a mapping editor."""
        rows = []
        for col in get_table(self.table).columns:
            match, fmt = self.mapping.matches.get(col.name), self.formats.get(col.name)
            rows.append({
                "column": col.name, "type": col.type, "required": col.required, "description": col.description,
                "header": match.source if match else None, "confidence": match.confidence if match else None,
                "method": match.method if match else None, "format": fmt.describe() if fmt else None,
                "examples": ", ".join(fmt.examples) if fmt else "",
            })
        return pd.DataFrame(rows)

    def raise_if_not_ready(self) -> None:
        if self.blocking:
            raise self.blocking[0]

    def as_dict(self) -> dict:
        return {
            "file": self.file.as_dict(), "table": self.table, "table_suggested": self.table_suggested,
            "table_scores": dict(self.table_scores),
            "mapping": {t: m.as_dict() for t, m in self.mapping.matches.items()},
            "kept_out": self.kept_out, "formats": {t: f.as_dict() for t, f in self.formats.items()},
            "choices": self.choices, "problems": self.problems, "notices": self.notices,
        }


@dataclass
class ImportResult:
    table: str
    source: str  # file name
    file: FileInfo
    table_suggested: bool
    mapping: dict[str, str]  # contract column -> header
    formats: dict[str, ColumnFormat]
    kept_out: list[str]
    rows_read: int  # non-empty data rows
    rows_accepted: int  # rows that passed every check
    rows_rejected: int
    rows_empty: int  # empty rows, skipped
    rejects: pd.DataFrame  # row, column, field, value, reason_code, reason (first MAX_REJECTS_IN_MEMORY entries)
    rejects_total: int  # reject entries (a row can have several)
    rejected_rows: list[int]  # the first rejected row numbers (header = row 1)
    preview: pd.DataFrame  # the first accepted rows as they will be stored
    notices: list[str] = field(default_factory=list)
    status: str = "validated"  # validated (nothing written yet), imported, rejected
    mode: str | None = None
    policy: str | None = None
    rows_written: int = 0  # rows added to the table (after duplicates were skipped)
    rows_total: int | None = None  # rows in the table afterwards
    duplicates_skipped: int = 0
    version: int | None = None
    rejects_path: Path | None = None
    message: str = ""

    @property
    def imported(self) -> bool:
        return self.status == "imported"

    def summary(self) -> str:
        """One line, e.g. 'transactions: 1,234 rows read, 1,230 imported, 4 rejected (see x.csv), 0 duplicates
        skipped'."""
        head = f"{self.table}" + (" (chosen from the headers)" if self.table_suggested else "")
        see = f" (see {self.rejects_path})" if self.rejects_path and self.rows_rejected else ""
        if self.status == "imported":
            return (f"{head}: {self.rows_read:,} rows read, {self.rows_written:,} imported, {self.rows_rejected:,} "
                    f"rejected{see}, {self.duplicates_skipped:,} duplicates skipped")
        if self.status == "rejected":
            return f"{head}: {self.rows_read:,} rows read, {self.rows_rejected:,} rejected{see}, nothing imported"
        return (f"{head}: {self.rows_read:,} rows read, {self.rows_accepted:,} valid, "
                f"{self.rows_rejected:,} rejected{see} (checked, not imported yet)")

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("rejects", "preview", "file", "formats")}
        out.update(file=self.file.as_dict(), formats={t: f.as_dict() for t, f in self.formats.items()},
                   rejects_path=str(self.rejects_path) if self.rejects_path else None,
                   rejects=self.rejects.head(100).to_dict(orient="records"))
        return out


# ------------------------------------------------------------------ inspect
def _pick(options: dict[str, str], target: str, source: str) -> str | None:
    for key in (target, source):
        if key in options:
            return options[key]
    by_norm = {normalize_header(k): v for k, v in options.items() if k != "*"}
    if normalize_header(source) in by_norm:
        return by_norm[normalize_header(source)]
    return options.get("*")


def _check_option_keys(options: dict[str, str], headers: list[str], table: str, what: str) -> None:
    spec = get_table(table)
    known = set(spec.column_names) | set(headers) | {normalize_header(h) for h in headers} | {"*"}
    for key in options:
        if key not in known and normalize_header(key) not in known:
            raise ImportFileError(f"The {what} is given for {key!r}, which is neither a header of the file nor a "
                                  f"column of {table}; use one of {', '.join(map(repr, headers))}.", code="bad_option")


def _one_column_problem(sample: Sample) -> ImportFileError | None:
    info = sample.info
    if info.kind == "parquet" or len(info.headers) != 1:
        return None
    header = info.raw_headers[0] if info.raw_headers else info.headers[0]
    rows = [r[0] for r in sample.rows[:50] if r[0]]
    for cand in (";", ",", "\t", "|", ":"):
        if cand == info.delimiter or header.count(cand) < 1:
            continue
        if sum(1 for v in rows if cand in v) >= 0.8 * len(rows):
            name = reader.DELIMITER_NAMES.get(cand, repr(cand))
            if info.kind == "xlsx":
                return ImportFileError(
                    f"Only one column was found ({header!r}) because the values in the sheet are separated by "
                    f"{name}; split them into columns in Excel (Data > Text to Columns) or import the CSV file.",
                    code="one_column", found=header, delimiter=cand)
            hint = ("leave the delimiter out so it is detected, or choose " + name if cand in reader.DELIMITERS
                    else f"save it again with ; or , as the delimiter ({name} is not supported)")
            return ImportFileError(
                f"Only one column was found ({header!r}) because the values are separated by {name}, not by "
                f"{reader.DELIMITER_NAMES.get(info.delimiter, repr(info.delimiter))}; {hint}.",
                code="one_column", found=header, delimiter=cand)
    return None


def analyse(sample: Sample, options: ImportOptions | None = None) -> Inspection:
    """Suggest table, mapping and formats for a sample read by `reader.read_sample` (no file access)."""
    options = options or ImportOptions()
    info = sample.info
    headers = list(info.headers)
    scores = suggest_tables(headers)
    if options.table:
        try:
            get_table(options.table)
        except ContractError as exc:
            raise ImportFileError(str(exc) + ".", code="unknown_table") from None
        table, suggested = options.table, False
    else:
        table, suggested = scores[0][0], True
    mapping = map_columns(headers, table, options.mapping)
    _check_option_keys(options.date_formats, headers, table, "date format")
    _check_option_keys(options.decimals, headers, table, "decimal separator")
    spec = get_table(table)
    formats: dict[str, ColumnFormat] = {}
    for target, match in mapping.matches.items():
        idx = headers.index(match.source)
        values = [r[idx] for r in sample.rows]
        col = spec.column(target)
        try:
            date_format = _pick(options.date_formats, target, match.source) if col.type == "date" else None
            decimal = _pick(options.decimals, target, match.source) if col.type in ("number", "int") else None
            formats[target] = detect_column(table, col, match.source, values, native=info.native.get(match.source),
                                            date_format=date_format, decimal=decimal)
        except ValueError as exc:
            raise ImportFileError(f"Column {match.source!r}: {exc}.", code="bad_option") from None
    _apply_file_decimal(formats)

    blocking: list[ImportFileError] = []
    one_col = _one_column_problem(sample)
    if one_col:
        blocking.append(one_col)
    problem = mapping.problem()
    found = ", ".join(map(repr, headers))
    if suggested and scores[0][1] == 0:
        blocking.append(ImportFileError(f"The headers do not match any table ({found}); choose the table and map "
                                        "the columns, or rename the headers.", code="unknown_table", headers=headers))
    elif suggested and scores[0][1] < MIN_TABLE_SCORE and not problem:
        blocking.append(ImportFileError(
            f"The headers ({found}) do not fit one table well enough to choose it; the best fit, {table}, would use "
            f"only {len(mapping.matches)} of the {len(headers)} columns - choose the table.", code="unknown_table",
            headers=headers))
    elif problem:
        blocking.append(ImportFileError(problem, code="missing_column", missing=mapping.missing_required or
                                        list(mapping.missing_one_of), headers=headers))
    choices = [_choice(f) for f in formats.values() if f.ambiguous]
    if choices:
        blocking.append(FormatChoiceNeeded(" ".join(c["message"] for c in choices), choices))

    notices = []
    if suggested:
        notices.append(f"Table {table!r} was chosen from the headers (score {scores[0][1]:.2f}).")
    if mapping.kept_out:
        notices.append("Columns kept out (not part of the data contract): " + ", ".join(mapping.kept_out) + ".")
    for m in mapping.matches.values():
        if m.method in ("fuzzy", "word"):
            notices.append(f"{m.source!r} was taken as {m.target} by similarity (confidence {m.confidence:.2f}).")
    sample_df = pd.DataFrame([r for r in sample.rows[:PREVIEW_ROWS]], columns=headers, dtype=object)
    return Inspection(info, options, table, suggested, scores, mapping, formats, choices, sample_df,
                      len(sample.rows), notices, blocking)


def _apply_file_decimal(formats: dict[str, ColumnFormat]) -> None:
    """Columns whose values do not show the decimal separator follow the other columns of the file."""
    decided = [f.decimal for f in formats.values()
               if not f.ambiguous and f.decided_by in ("data", "user") and f.decimal]
    if not decided:
        return
    convention = max(sorted(set(decided)), key=decided.count)
    for target, f in list(formats.items()):
        if f.type in ("number", "int") and (f.ambiguous or f.decided_by == "default"):
            formats[target] = replace(f, decimal=convention, ambiguous=False, options=(), decided_by="file")


def _choice(f: ColumnFormat) -> dict:
    example = f.examples[0] if f.examples else ""
    if f.type == "date":
        labels = " and ".join(date_format_label(o) for o in f.options)
        message = (f"Column {f.source!r} ({f.target}) has dates like {example} that fit both {labels}; "
                   "choose the date format for this column.")
        kind = "date"
    else:
        message = (f"Column {f.source!r} ({f.target}) has numbers like {example} where '.' or ',' could be the "
                   "thousands or the decimal separator; choose the decimal separator for this column.")
        kind = "decimal"
    return {"source": f.source, "target": f.target, "kind": kind, "options": list(f.options),
            "examples": list(f.examples), "message": message}


def inspect_file(path: str | Path, options: ImportOptions | None = None, *, name: str | None = None,
                 sample_rows: int = SAMPLE_ROWS) -> Inspection:
    """Detect file type, encoding, delimiter, table, column mapping and formats from a sample.

    Raises ImportFileError when the file cannot be read at all; problems the user can fix by choosing
    (missing columns, ambiguous formats) are listed in `problems`/`choices` instead."""
    options = options or ImportOptions()
    sample = reader.read_sample(path, name=name, encoding=options.encoding, delimiter=options.delimiter,
                                sheet=options.sheet, sample_rows=sample_rows)
    if not sample.rows and sample.complete:
        raise ImportFileError(f"{sample.info.name} has a header row but no data rows; export it again with the data.",
                              code="no_rows")
    return analyse(sample, options)


# ------------------------------------------------------------------ prepare and commit
class PreparedImport:
    """A file that was read and checked completely; holds temporary files until `commit` or `close`."""

    def __init__(self, inspection: Inspection, result: ImportResult, con: duckdb.DuckDBPyConnection, work: Path,
                 mapping_idx: dict[str, int]):
        self.inspection = inspection
        self.result = result
        self._con = con
        self._work = work
        self._mapping_idx = mapping_idx
        self._finalizer = weakref.finalize(self, _cleanup, con, work)

    def __enter__(self) -> PreparedImport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._finalizer()

    def write_rejects(self, path: str | Path, file_format: str = "csv") -> Path:
        """Write every reject entry to `path` (csv: UTF-8 with BOM, comma-separated; or parquet)."""
        return validate.write_rejects(self._con, Path(path), file_format)

    def commit(self, ws, *, mode: str = "replace", policy: str = "all_or_nothing", user: str = "local",
               rejects_path: str | Path | None = None, rejects_dir: str | Path | None = None,
               progress: Progress | None = None, log_rejected: bool = True) -> ImportResult:
        """Write the accepted rows to the workspace (atomically) or refuse and say why.

        policy 'all_or_nothing': any rejected row -> nothing is written, status 'rejected'.
        policy 'accept_valid': the valid rows are written, the rejected ones are reported.
        A rejects CSV is written to `rejects_path` (or a timestamped file in `rejects_dir`) when rows were
        rejected. A refused import is recorded in the workspace's change log (action 'import_rejected')."""
        if policy not in POLICIES:
            raise ImportFileError(f"The policy must be one of {', '.join(POLICIES)}, not {policy!r}.", code="bad_option")
        if mode not in MODES:
            raise ImportFileError(f"The mode must be replace or append, not {mode!r}.", code="bad_option")
        progress = progress or (lambda f, m: None)
        r = replace(self.result, mode=mode, policy=policy)
        if r.rows_rejected and (rejects_path or rejects_dir):
            target = Path(rejects_path) if rejects_path else rejects_file(rejects_dir, r.table)
            r.rejects_path = self.write_rejects(target)
        extra = dict(file=r.source, rows_read=r.rows_read, rows_accepted=r.rows_accepted,
                     rows_rejected=r.rows_rejected, rows_empty=r.rows_empty, policy=policy,
                     rejects_file=str(r.rejects_path) if r.rejects_path else None)
        refuse = None
        if r.rows_rejected and policy == "all_or_nothing":
            rows = ", ".join(map(str, r.rejected_rows))
            more = " ..." if r.rows_rejected > len(r.rejected_rows) else ""
            refuse = (f"{r.rows_rejected:,} of {r.rows_read:,} rows are invalid (rows {rows}{more}), so nothing was "
                      f"imported; fix them or accept only the {r.rows_accepted:,} valid rows.")
        elif r.rows_accepted == 0:
            refuse = f"None of the {r.rows_read:,} rows is valid, so nothing was imported."
        if refuse:
            r.status, r.message = "rejected", refuse
            if log_rejected:
                ws.log_event(action="import_rejected", table=r.table, source=r.source, user=user, mode=mode,
                             reason=refuse, **{k: v for k, v in extra.items() if k != "file"})
            progress(1.0, "nothing imported")
            self.result = r
            return r
        progress(0.9, "staging the valid rows")
        staged = ws.staging_path()
        try:
            validate.copy_accepted(self._con, get_table(r.table), self._mapping_idx, staged)
            progress(0.95, f"writing {r.table}")
            written = ws.write(r.table, staged, mode=mode, source=r.source, user=user, log_extra=extra)
        finally:
            staged.unlink(missing_ok=True)
        r.status = "imported"
        r.rows_written, r.rows_total = written.rows_written, written.rows_total
        r.duplicates_skipped, r.version = written.duplicates_skipped, written.version
        r.message = r.summary()
        progress(1.0, "done")
        self.result = r
        return r


def _cleanup(con: duckdb.DuckDBPyConnection, work: Path) -> None:
    try:
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rejects_file(rejects_dir: str | Path, table: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
    return Path(rejects_dir) / f"{table}-{stamp}.csv"


def default_rejects_dir(ws) -> Path:
    """Beside the workspace, never inside it: `<workspace>/../<workspace-name>-rejects/`."""
    return ws.root.parent / f"{ws.root.name}-rejects"


def _connect(work: Path) -> duckdb.DuckDBPyConnection:
    from loyalty.settings import Settings

    settings = Settings.from_env()
    con = duckdb.connect(str(work / "import.duckdb"))
    con.execute(f"set threads={max(int(settings.duckdb_threads), 1)}")
    con.execute(f"set memory_limit={validate.sql_str(settings.duckdb_memory_limit)}")
    con.execute(f"set temp_directory={validate.sql_str(str(work / 'spill'))}")
    con.execute("set preserve_insertion_order=true")
    con.execute("set TimeZone='UTC'")
    return con


def prepare_import(path: str | Path, options: ImportOptions | None = None, *, name: str | None = None,
                   progress: Progress | None = None, work_dir: str | Path | None = None,
                   sample_rows: int = SAMPLE_ROWS, inspection: Inspection | None = None) -> PreparedImport:
    """Read and check every row; nothing is written to any workspace. Raises ImportFileError (or its
    subclass FormatChoiceNeeded) when the file cannot be imported as it is."""
    progress = progress or (lambda f, m: None)
    progress(0.0, "reading a sample")
    insp = inspection or inspect_file(path, options, name=name, sample_rows=sample_rows)
    insp.raise_if_not_ready()
    spec = get_table(insp.table)
    headers = list(insp.file.headers)
    mapping_idx = {t: headers.index(m.source) for t, m in insp.mapping.matches.items()}
    work = Path(tempfile.mkdtemp(prefix="loyalty-import-", dir=str(work_dir) if work_dir else None))
    con = None
    try:
        con = _connect(work)
        info = insp.file

        def sub(start: float, span: float) -> Progress:
            return lambda f, m: progress(start + span * f, m)

        progress(0.05, "reading the file")
        if info.kind == "csv":
            source, info = reader.csv_source(info, work, sub(0.05, 0.35))
        elif info.kind == "xlsx":
            source = reader.excel_to_parquet(info, work / "sheet.parquet", sub(0.05, 0.35))
        else:
            source = reader.parquet_source(info)
        progress(0.4, "checking every row")
        try:
            counts = validate.run(con, spec, source, mapping_idx, insp.formats, headers, work, sub(0.4, 0.45))
        except duckdb.Error as exc:
            raise ImportFileError(f"{info.name} could not be read completely ({str(exc).splitlines()[0]}); check "
                                  "the delimiter and the encoding or export the file again.", code="unreadable") from exc
        if counts.rows_read == 0:
            raise ImportFileError(f"{info.name} has a header row but no data rows; export it again with the data.",
                                  code="no_rows")
        progress(0.85, "preparing the preview")
        rejects = validate.rejects_frame(con, MAX_REJECTS_IN_MEMORY)
        first_rows = [int(r[0]) for r in con.execute(
            "select distinct row from rejects order by row limit 10").fetchall()]
        result = ImportResult(
            table=insp.table, source=info.name, file=info, table_suggested=insp.table_suggested,
            mapping=insp.mapping.as_dict(), formats=dict(insp.formats), kept_out=insp.kept_out,
            rows_read=counts.rows_read, rows_accepted=counts.rows_accepted, rows_rejected=counts.rows_rejected,
            rows_empty=counts.rows_empty, rejects=rejects, rejects_total=counts.reject_entries,
            rejected_rows=first_rows, preview=validate.preview(con, spec, mapping_idx, PREVIEW_ROWS),
            notices=list(insp.notices))
        if info.encoding != insp.file.encoding:
            result.notices.append(f"The file is not UTF-8 after the first part; it was read as {info.encoding}.")
        progress(0.9, "checked")
        return PreparedImport(replace(insp, file=info), result, con, work, mapping_idx)
    except BaseException:
        if con is not None:
            con.close()
        shutil.rmtree(work, ignore_errors=True)
        raise


def import_file(ws, path: str | Path, options: ImportOptions | None = None, *, name: str | None = None,
                mode: str = "replace", policy: str = "all_or_nothing", user: str = "local",
                rejects_path: str | Path | None = None, rejects_dir: str | Path | None = None,
                progress: Progress | None = None, work_dir: str | Path | None = None) -> ImportResult:
    """Inspect, check and import in one call. Raises ImportFileError when the file cannot be imported at all
    (the workspace is untouched); returns the result with status 'imported' or 'rejected' otherwise."""
    if policy not in POLICIES:
        raise ImportFileError(f"The policy must be one of {', '.join(POLICIES)}, not {policy!r}.", code="bad_option")
    if mode not in MODES:
        raise ImportFileError(f"The mode must be replace or append, not {mode!r}.", code="bad_option")
    with prepare_import(path, options, name=name, progress=progress, work_dir=work_dir) as prepared:
        return prepared.commit(ws, mode=mode, policy=policy, user=user, rejects_path=rejects_path,
                               rejects_dir=rejects_dir, progress=progress)


__all__ = [
    "ImportOptions", "Inspection", "ImportResult", "PreparedImport", "inspect_file", "analyse", "prepare_import",
    "import_file", "default_rejects_dir", "rejects_file", "normalize_date_format",
]
