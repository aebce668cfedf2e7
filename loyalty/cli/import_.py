"""`python -m loyalty import`: import a CSV, Excel (.xlsx) or Parquet export into the workspace.

The table, the column mapping, the encoding, the delimiter and the number and date formats are detected;
correct them with the options below. By default the import is all or nothing: if any row is invalid,
nothing is imported and the command lists the reasons (exit code 1). With --accept-valid the valid rows
are imported and the invalid ones reported. Rejected rows are written to a CSV beside the workspace:
<workspace>/../<workspace-name>-rejects/<table>-<timestamp>.csv (or --rejects PATH).

Exit codes: 0 imported (or checked with --dry-run and all rows valid), 1 rows were rejected and nothing
was imported, 2 the file cannot be imported as it is (the message says what to do).
"""

from __future__ import annotations

import argparse
import sys

from loyalty.cli._common import add_workspace, open_workspace

DECIMAL_WORDS = {",": ",", ".": ".", "comma": ",", "komma": ",", "point": ".", "dot": ".", "punkt": "."}


def register(sub) -> None:
    parser = sub.add_parser("import", help="import a CSV, Excel or Parquet file", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_workspace(parser)
    parser.add_argument("file", metavar="FILE", help="the file to import (.csv/.txt/.tsv, .xlsx, .parquet)")
    parser.add_argument("--table", help="contract table (default: chosen from the headers)")
    parser.add_argument("--map", action="append", default=[], metavar="TARGET=SOURCE",
                        help="fill contract column TARGET from header SOURCE (repeatable); TARGET= leaves it empty")
    parser.add_argument("--mode", choices=("replace", "append"), default="replace",
                        help="replace the table (default) or append to it (rows already stored are skipped)")
    parser.add_argument("--accept-valid", action="store_true",
                        help="import the valid rows even if some are rejected (default: all or nothing)")
    parser.add_argument("--date-format", action="append", default=[], metavar="[COLUMN=]FORMAT",
                        help="date format, e.g. %%d/%%m/%%Y or dd/mm/yyyy, for one column or all (repeatable)")
    parser.add_argument("--decimal", action="append", default=[], metavar="[COLUMN=]SEP",
                        help="decimal separator , or . for one column or all (repeatable)")
    parser.add_argument("--encoding", help="file encoding, e.g. utf-8, cp1252, latin-1 (default: detected)")
    parser.add_argument("--delimiter", help="CSV delimiter: ; , | or tab (default: detected)")
    parser.add_argument("--sheet", help="Excel sheet (default: the first sheet with headers)")
    parser.add_argument("--rejects", metavar="PATH", help="write the rejected rows to this CSV file")
    parser.add_argument("--dry-run", action="store_true", help="check every row but import nothing")
    parser.add_argument("--user", default="cli", help="name recorded in the change log (default: cli)")
    parser.set_defaults(func=run)


def _pairs(values: list[str], option: str, allow_global: bool) -> dict[str, str | None]:
    from loyalty.cli import CliError

    out: dict[str, str | None] = {}
    for item in values:
        if "=" in item and not item.startswith("%"):
            key, _, value = item.partition("=")
            key = key.strip()
            if not key:
                raise CliError(f"{option} {item!r}: the column name before '=' is missing")
            out[key] = value.strip() or None
        elif allow_global:
            out["*"] = item.strip()
        else:
            raise CliError(f"{option} needs TARGET=SOURCE, not {item!r}")
    return out


def _options(args):
    from loyalty.cli import CliError
    from loyalty.importing import ImportOptions

    decimals = {}
    for key, value in _pairs(args.decimal, "--decimal", True).items():
        sep = DECIMAL_WORDS.get((value or "").lower())
        if sep is None:
            raise CliError(f"--decimal must be ',' or '.', not {value!r}")
        decimals[key] = sep
    date_formats = {k: v for k, v in _pairs(args.date_format, "--date-format", True).items() if v}
    return ImportOptions(table=args.table, mapping=_pairs(args.map, "--map", False), date_formats=date_formats,
                         decimals=decimals, encoding=args.encoding, delimiter=args.delimiter, sheet=args.sheet)


def _choice_message(exc) -> str:
    parts = []
    for c in exc.choices:
        if c["kind"] == "date":
            flags = " or ".join(f"--date-format '{c['source']}={o}'" for o in c["options"])
            parts.append(f"column {c['source']!r} ({c['target']}) has dates like {c['examples'][0]} that fit "
                         f"several formats; run again with {flags}")
        else:
            flags = " or ".join(f"--decimal '{c['source']}={o}'" for o in c["options"])
            parts.append(f"column {c['source']!r} ({c['target']}) has numbers like {c['examples'][0]} whose "
                         f"decimal separator is unclear; run again with {flags}")
    return "; ".join(parts)


def _file_error(exc) -> str:
    from loyalty.importing import FormatChoiceNeeded

    if isinstance(exc, FormatChoiceNeeded):
        return _choice_message(exc)
    message = str(exc)
    if exc.code == "missing_column" and exc.details.get("missing"):
        col = exc.details["missing"][0]
        message = message.rstrip(".") + f" (--map {col}=HEADER)."
    return message


def run(args) -> int:
    from loyalty.cli import CliError
    from loyalty.importing import ImportFileError, default_rejects_dir, prepare_import

    options = _options(args)
    ws = open_workspace(args, must_exist=False)
    interactive = sys.stderr.isatty()

    def progress(share: float, message: str) -> None:
        if interactive:
            print(f"\r{share:6.1%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)

    try:
        prepared = prepare_import(args.file, options, progress=progress)
    except ImportFileError as exc:
        if interactive:
            print(file=sys.stderr)
        raise CliError(_file_error(exc)) from None
    with prepared:
        result = prepared.result
        if interactive:
            print(file=sys.stderr)
        for line in _notes(prepared):
            print(f"note: {line}", file=sys.stderr)
        rejects = {"rejects_path": args.rejects} if args.rejects else {"rejects_dir": default_rejects_dir(ws)}
        if args.dry_run:
            if result.rows_rejected:
                path = prepared.write_rejects(args.rejects or _rejects_path(rejects, result.table))
                result.rejects_path = path
            print(result.summary())
            return 1 if result.rows_rejected else 0
        policy = "accept_valid" if args.accept_valid else "all_or_nothing"
        result = prepared.commit(ws, mode=args.mode, policy=policy, user=args.user, progress=progress, **rejects)
    if result.imported:
        print(result.summary())
        return 0
    print(f"error: {_refusal(result, args.accept_valid)}", file=sys.stderr)
    for _, r in result.rejects.head(10).iterrows():
        column = f", {r['column']}" if r["column"] else ""
        print(f"  row {r['row']}{column}: {r['reason']}", file=sys.stderr)
    if result.rejects_path:
        print(f"  all rejected rows: {result.rejects_path}", file=sys.stderr)
    return 1


def _rejects_path(rejects: dict, table: str):
    from loyalty.importing import rejects_file

    return rejects.get("rejects_path") or rejects_file(rejects["rejects_dir"], table)


def _refusal(result, accept_valid: bool) -> str:
    rows = ", ".join(map(str, result.rejected_rows))
    more = ", ..." if result.rows_rejected > len(result.rejected_rows) else ""
    if result.rows_accepted == 0:
        return (f"{result.table}: none of the {result.rows_read:,} rows is valid (rows {rows}{more}); "
                "nothing was imported")
    return (f"{result.table}: {result.rows_rejected:,} of {result.rows_read:,} rows are invalid (rows {rows}{more}), "
            f"so nothing was imported; fix them, or use --accept-valid to import the {result.rows_accepted:,} "
            "valid rows")


def _notes(prepared) -> list[str]:
    insp, result = prepared.inspection, prepared.result
    notes = [f"read as {result.file.describe()}"]
    if result.table_suggested:
        notes.append(f"table {result.table} chosen from the headers")
    notes.append("columns: " + "; ".join(f"{f.source} -> {t} ({f.describe()})" for t, f in result.formats.items()))
    if insp.kept_out:
        notes.append("kept out (not in the data contract): " + ", ".join(insp.kept_out))
    notes.extend(n for n in result.notices if "similarity" in n or "not UTF-8" in n)
    return notes
