"""Import of analysts' exports (CSV, Excel .xlsx, Parquet) into the workspace.

Workflow for a UI (the Data page) or the CLI (`python -m loyalty import`):

1. `inspect_file(path, options)` -> Inspection: file type, encoding, delimiter, suggested table (scores),
   column mapping (with confidence), detected formats per column, open choices and blocking problems.
   Reads only a sample, so it is cheap to call again after every correction.
2. The user confirms or corrects: `options.with_changes(table=..., mapping={target: header},
   date_formats={column: '%d/%m/%Y'}, decimals={column: ','})`.
3. `prepare_import(path, options, progress=cb)` -> PreparedImport: every row read and checked in DuckDB;
   `.result` has rows_read/accepted/rejected, rejects (row, column, field, value, reason_code, reason),
   the preview (first 20 rows as stored) and the formats. Writes nothing to the workspace.
4. `prepared.commit(ws, mode='replace'|'append', policy='all_or_nothing'|'accept_valid')` -> ImportResult.

`import_file(ws, path, options, ...)` runs 1-4 in one call. A file that cannot be imported at all raises
ImportFileError (a ValueError) with one sentence; ambiguous formats raise its subclass FormatChoiceNeeded.
"""

from loyalty.importing.api import (
    ImportOptions,
    ImportResult,
    Inspection,
    PreparedImport,
    analyse,
    default_rejects_dir,
    import_file,
    inspect_file,
    prepare_import,
    rejects_file,
)
from loyalty.importing.errors import FormatChoiceNeeded, ImportFileError
from loyalty.importing.formats import DATE_FORMATS, ColumnFormat, normalize_date_format
from loyalty.importing.mapping import (
    SYNONYMS,
    ColumnMapping,
    ColumnMatch,
    map_columns,
    normalize_header,
    suggest_tables,
)
from loyalty.importing.reader import FileInfo, read_sample
from loyalty.importing.validate import REJECT_COLUMNS

__all__ = [
    "ImportOptions", "ImportResult", "Inspection", "PreparedImport", "analyse", "default_rejects_dir",
    "import_file", "inspect_file", "prepare_import", "rejects_file", "FormatChoiceNeeded", "ImportFileError",
    "DATE_FORMATS", "ColumnFormat", "normalize_date_format", "SYNONYMS", "ColumnMapping", "ColumnMatch",
    "map_columns", "normalize_header", "suggest_tables", "FileInfo", "read_sample", "REJECT_COLUMNS",
]
