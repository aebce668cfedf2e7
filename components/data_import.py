"""The import wizard of the Data page: upload -> detected table, mapping and formats (the user confirms or
corrects) -> every row checked (validation report, rejects) -> import with a policy and a mode.

The work is done by `loyalty.importing` (docs/import.md); this module shows its results in German or English
and turns the user's choices into `ImportOptions`. Uploads are copied to a fresh temporary folder under the
system temp directory with a fixed file name (the user's file name only decides the file type), and are
deleted after the import, when the file is removed from the uploader, or when the session ends.
The import itself goes through `components.auth.require_permission("import")` and the GuardedWorkspace,
so the server refuses it for a viewer even if the request reaches it without the button.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from components import auth, data
from components.context import PageContext
from components.downloads import download_buttons
from components.ui import safe_filename
from loyalty import i18n
from loyalty.contract import TABLES, Table, get_table
from loyalty.demo import SOURCE as DEMO_SOURCE
from loyalty.importing import (
    ColumnFormat,
    ImportFileError,
    ImportOptions,
    ImportResult,
    Inspection,
    PreparedImport,
    default_rejects_dir,
    inspect_file,
    prepare_import,
)
from loyalty.importing.formats import parse_number, split_date_time

log = logging.getLogger("loyalty.data_import")

Translate = Callable[..., str]
STATE_KEY = "_data_imports"  # {file_id: FileImport}
NOT_MAPPED = ""  # selectbox value: the contract column stays empty
AUTO_CHECK_BYTES = 25 * 1024 * 1024  # smaller files are checked right away, larger ones on request
STALE_UPLOAD_SECONDS = 24 * 3600  # upload folders older than this are left over from ended sessions
COPY_CHUNK = 8 * 1024 * 1024
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_KEYS = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe", ":": "colon"}
# progress messages of loyalty.importing (English) -> data.step.<key>
STEPS = (("reading a sample", "sample"), ("reading", "reading"), ("converting", "converting"),
         ("checking", "checking"), ("preparing the preview", "preview"), ("checked", "checked"),
         ("staging", "staging"), ("writing", "writing"), ("done", "done"), ("nothing imported", "nothing"))


# ------------------------------------------------------------------ temporary copies of uploads
def upload_root() -> Path:
    """The folder that holds one sub-folder per uploaded file (readable by the server's user only)."""
    root = Path(tempfile.gettempdir()) / "loyalty-uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def safe_suffix(name: str) -> str:
    """The extension of the user's file name if it is a plain one ('.csv'), else ''."""
    suffix = Path(str(name).replace("\\", "/")).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def store_upload(source, name: str, root: Path | None = None) -> Path:
    """Copy an uploaded file (a binary file object) to `<root>/upload-<random>/upload<.ext>`. The path never
    contains the user's file name, so a name like '../../x.csv' cannot reach another folder."""
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=str(root or upload_root())))
    target = folder / f"upload{safe_suffix(name)}"
    if hasattr(source, "seek"):
        source.seek(0)
    with open(target, "wb") as fh:
        shutil.copyfileobj(source, fh, COPY_CHUNK)
    return target


def discard_upload(path: Path | None, root: Path | None = None) -> None:
    """Delete the temporary folder of one upload (only folders this module made)."""
    if path is None:
        return
    folder = Path(path).parent
    if folder.parent == (root or upload_root()) and folder.name.startswith("upload-"):
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale_uploads(root: Path | None = None, max_age: float = STALE_UPLOAD_SECONDS,
                        now: float | None = None) -> int:
    """Remove upload folders older than `max_age` seconds (left over when a server process ended)."""
    root = root or upload_root()
    now = time.time() if now is None else now
    removed = 0
    for folder in root.glob("upload-*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > max_age:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


# ------------------------------------------------------------------ one uploaded file in the wizard
@dataclass(eq=False)
class FileImport:
    """What the wizard knows about one uploaded file across reruns (kept in st.session_state)."""

    file_id: str
    name: str  # the user's file name (shown, and recorded as the source in the change log)
    size: int
    path: Path | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    inspection: Inspection | None = None
    inspected_with: ImportOptions | None = None
    prepared: PreparedImport | None = None
    prepared_with: ImportOptions | None = None
    result: ImportResult | None = None  # after the import
    choices: dict[str, dict] = field(default_factory=dict)  # header -> format choice that was asked once
    generation: int = 0  # bumped by "restore the detected settings" so the widgets start fresh

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, discard_upload, None)

    @property
    def key(self) -> str:
        digest = hashlib.sha1(self.file_id.encode("utf-8")).hexdigest()[:10]
        return f"imp_{digest}_{self.generation}"

    def widget(self, name: str) -> str:
        return f"{self.key}_{name}"

    @property
    def shown_name(self) -> str:
        return md(self.name)

    def attach(self, path: Path) -> None:
        """Own the temporary copy at `path`: deleted by close(), or when the session's state is dropped."""
        self._finalizer()
        self.path, self.inspection = path, None  # an inspection names the file it read
        self._finalizer = weakref.finalize(self, discard_upload, path)

    def set_options(self, options: ImportOptions) -> None:
        self.options = options

    def drop_prepared(self) -> None:
        if self.prepared is not None:
            self.prepared.close()
        self.prepared, self.prepared_with = None, None

    def close(self) -> None:
        """Release the checked data and delete the temporary copy."""
        self.drop_prepared()
        self._finalizer()
        self.path = None


def sync_uploads(files: list, max_bytes: int) -> list[FileImport]:
    """The wizard state of every file in the uploader: new files are copied to a temporary folder,
    files removed from the uploader are forgotten and their copies deleted."""
    registry: dict[str, FileImport] = st.session_state.setdefault(STATE_KEY, {})
    current = {f.file_id: f for f in files or []}
    for file_id in [k for k in registry if k not in current]:
        registry.pop(file_id).close()
    items = []
    for file_id, uploaded in current.items():
        item = registry.get(file_id)
        if item is None:
            item = registry[file_id] = FileImport(file_id, uploaded.name, uploaded.size)
        if item.result is None and uploaded.size <= max_bytes and (item.path is None or not item.path.exists()):
            item.attach(store_upload(uploaded, uploaded.name))
        items.append(item)
    return items


# ------------------------------------------------------------------ texts (pure functions, tested directly)
def size_text(size: int, lang: str) -> str:
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= factor:
            return f"{i18n.fmt_number(size / factor, lang, 1)} {unit}"
    return f"{i18n.fmt_number(size, lang)} B"


def table_label(t: Translate, table: str) -> str:
    return t(f"data.table.{table}")


def column_label(t: Translate, table: str, column: str) -> str:
    return t(f"data.column.{table}.{column}")


def md(text: object) -> str:
    """Text from the user's file (names, headers, values) made safe for Streamlit's Markdown: no emphasis,
    links, HTML or formulas ($) out of a file name or a header."""
    return re.sub(r"([\\`*_\[\]<>$~|])", r"\\\1", str(text))


def quoted(values, lang: str) -> str:
    opening, closing = ("„", "“") if lang == "de" else ("“", "”")
    return ", ".join(f"{opening}{md(v)}{closing}" for v in values)


def delimiter_text(t: Translate, delimiter: str | None) -> str:
    key = DELIMITER_KEYS.get(delimiter or "")
    return t(f"data.delimiter_name.{key}") if key else repr(delimiter)


def encoding_text(t: Translate, encoding: str | None) -> str:
    if encoding in ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"):
        return t(f"data.encoding.{encoding}")
    return str(encoding)


def file_description(t: Translate, info) -> str:
    if info.kind == "csv":
        return t("data.read_as_csv", delimiter=delimiter_text(t, info.delimiter),
                 encoding=encoding_text(t, info.encoding))
    if info.kind == "xlsx":
        return t("data.read_as_xlsx", sheet=info.sheet or "")
    return t("data.read_as_parquet")


def date_pattern(t: Translate, strftime: str | None) -> str:
    """'%d.%m.%Y' -> 'TT.MM.JJJJ' (de) / 'dd.mm.yyyy' (en)."""
    if not strftime:
        return "?"
    out = strftime
    for directive, key in (("%d", "day"), ("%m", "month"), ("%Y", "year"), ("%y", "year_short")):
        out = out.replace(directive, t(f"data.format.{key}"))
    return out


def format_text(t: Translate, fmt: ColumnFormat | None, native: str | None = None) -> str:
    """How a column is read, in words (the translated counterpart of ColumnFormat.describe()). `native`: the
    cell type of an Excel or Parquet column (number, date, bool), which needs no format."""
    if fmt is None:
        return ""
    if fmt.ambiguous:
        return t("data.format.ambiguous")
    if native in ("number", "date", "bool") and fmt.decided_by == "file":
        return t(f"data.format.native_{native}")
    if fmt.type in ("number", "int"):
        if fmt.decimal is None:
            text = t("data.format.whole")
        else:
            text = t("data.format.decimal_comma" if fmt.decimal == "," else "data.format.decimal_point")
            if fmt.thousands:
                text += ", " + t("data.format.thousands")
    elif fmt.type == "date":
        text = t("data.format.date", pattern=date_pattern(t, fmt.date_format))
        if fmt.has_time:
            text += ", " + t("data.format.time_ignored")
    elif fmt.type == "bool":
        text = t("data.format.bool", style=fmt.bool_style or "ja/nein")
    elif fmt.allowed:
        text = t("data.format.allowed", values=", ".join(sorted(set(fmt.allowed.values()))))
    else:
        text = t("data.format.text")
    if fmt.decided_by == "user":
        text += f" ({t('data.format.by_user')})"
    elif fmt.decided_by == "file" and fmt.type in ("number", "int"):
        text += f" ({t('data.format.by_file')})"
    return text


def _plain_number(value: float, lang: str) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "de" else text


def choice_option_text(t: Translate, lang: str, choice: dict, option: str) -> str:
    """One answer to an open format question, with what the first example would then mean."""
    example = choice["examples"][0] if choice.get("examples") else ""
    if choice["kind"] == "date":
        pattern = date_pattern(t, option)
        parts = split_date_time(example) if example else None
        try:
            day = datetime.strptime(parts[0], option).date() if parts else None
        except ValueError:
            day = None
        if day is None:
            return t("data.choice.date_option_plain", pattern=pattern)
        month = t("data.choice.months").split(",")[day.month - 1]
        long_date = t("data.choice.long_date", day=day.day, month=month, year=day.year)
        return t("data.choice.date_option", pattern=pattern, example=example, date=long_date)
    value = parse_number(example, option) if example else None
    key = "data.choice.decimal_comma" if option == "," else "data.choice.decimal_point"
    shown = _plain_number(value, lang) if value is not None else "?"
    return t(key, example=example, value=shown)


def step_text(t: Translate, message: str) -> str:
    for prefix, key in STEPS:
        if message.startswith(prefix):
            return t(f"data.step.{key}")
    return "…"


def _range_text(t: Translate, column) -> str:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if column is None or (column.min is None and column.max is None):
        return t("data.reason.out_of_range")
    if column.min is not None and column.max is not None:
        return t("data.reason.between", min=num(column.min), max=num(column.max))
    if column.min == 0:
        return t("data.reason.not_negative")
    if column.min is not None:
        return t("data.reason.at_least", min=num(column.min))
    return t("data.reason.at_most", max=num(column.max))


def reason_text(t: Translate, entry: dict, spec: Table, formats: dict[str, ColumnFormat]) -> str:
    """The reason of one reject entry in the page's language, from its reason_code (the core's English
    text decides between the variants of a code and is the fallback for an unknown code)."""
    code = str(entry.get("reason_code") or "")
    english = str(entry.get("reason") or "")
    target = str(entry.get("field") or "")
    column = spec.column(target) if target in spec.column_names else None
    if code == "empty_required":
        return t("data.reason.one_of", columns=target) if "," in target else t("data.reason.empty_required")
    if code == "invalid_number":
        return t("data.reason.not_whole_number" if "whole" in english else "data.reason.invalid_number")
    if code == "invalid_date":
        if "outside" in english:
            return t("data.reason.implausible_date")
        fmt = formats.get(target)
        if fmt is not None and fmt.date_format:
            return t("data.reason.invalid_date", pattern=date_pattern(t, fmt.date_format))
        return t("data.reason.invalid_date_plain")
    if code == "invalid_bool":
        return t("data.reason.invalid_bool")
    if code == "out_of_range":
        return _range_text(t, column)
    if code == "not_allowed":
        return t("data.reason.not_allowed", allowed=", ".join(column.allowed or ()) if column else "")
    if code == "malformed_row":
        counts = re.search(r"has (\d+) fields instead of (\d+)", english)
        if counts:
            return t("data.reason.field_count", found=counts.group(1), expected=counts.group(2))
        if "quote is not closed" in english:
            return t("data.reason.open_quote")
        return t("data.reason.malformed_row")
    if code == "invalid_encoding":
        return t("data.reason.invalid_encoding")
    return english


def rejects_frame(t: Translate, result: ImportResult) -> pd.DataFrame:
    """Row (header = row 1), column in the file, table column, value and the translated reason."""
    spec = get_table(result.table)
    frame = result.rejects
    reasons = [reason_text(t, entry, spec, result.formats) for entry in frame.to_dict(orient="records")]
    fields = [column_label(t, result.table, f) if f in spec.column_names else (f or "") for f in frame["field"]]
    return pd.DataFrame({
        "row": frame["row"].astype("Int64"), "column": frame["column"], "field": fields,
        "value": frame["value"], "reason": reasons,
    })


def file_error_text(t: Translate, lang: str, exc: ImportFileError, name: str,
                    inspection: Inspection | None = None) -> str:
    """One sentence that names the problem and what to do, in the page's language, from the error's code."""
    code = getattr(exc, "code", "")
    details = getattr(exc, "details", {}) or {}
    if code == "unsupported_type":
        suffix = safe_suffix(name)
        if suffix == ".xls":
            return t("data.error.xls", name=name)
        return t("data.error.unsupported_type", ext=suffix or name)
    if code in ("empty_file", "binary", "unreadable", "no_rows", "bad_option", "ambiguous_format"):
        return t(f"data.error.{code}", name=name)
    if code == "one_column":
        found, delimiter = details.get("found", ""), details.get("delimiter")
        kind = inspection.file.kind if inspection else "csv"
        key = "one_column_xlsx" if kind == "xlsx" else "one_column" if delimiter in DELIMITERS else "one_column_other"
        return t(f"data.error.{key}", found=found, delimiter=delimiter_text(t, delimiter))
    if code == "missing_column" and inspection is not None:
        mapping, table = inspection.mapping, inspection.table
        headers = quoted(inspection.file.headers, lang)
        if mapping.missing_required:
            columns = quoted([column_label(t, table, c) for c in mapping.missing_required], lang)
            return t("data.error.missing_column", columns=columns, table=table_label(t, table), headers=headers)
        columns = quoted([column_label(t, table, c) for c in mapping.missing_one_of], lang)
        return t("data.error.missing_one_of", columns=columns, table=table_label(t, table), headers=headers)
    if code == "unknown_table":
        headers = details.get("headers") or (inspection.file.headers if inspection else [])
        return t("data.error.unknown_table", headers=quoted(headers, lang))
    return str(exc)


# ------------------------------------------------------------------ tables
def _formatter(kind: str, lang: str):
    if kind == "count":
        return lambda v: i18n.fmt_number(v, lang) if pd.notna(v) else "–"
    if kind == "number":
        return lambda v: i18n.fmt_number(v, lang, 2) if pd.notna(v) else "–"
    if kind == "date":
        return lambda v: i18n.fmt_date(v, lang) if v is not None and pd.notna(v) else "–"
    if kind == "bool":
        words = {True: i18n.t("data.format.yes", lang), False: i18n.t("data.format.no", lang)}
        return lambda v: "–" if v is None or pd.isna(v) else words[bool(v)]
    if kind == "datetime":
        pattern = "%d.%m.%Y %H:%M:%S" if lang == "de" else "%Y-%m-%d %H:%M:%S"
        return lambda v: v.strftime(pattern) if v is not None and pd.notna(v) else "–"
    return lambda v: "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def display_frame(frame: pd.DataFrame, kinds: dict[str, str], lang: str) -> pd.DataFrame:
    """Every cell as the text the page shows: numbers and dates the language's way, empty cells as '–'.
    (st.dataframe shows empty cells as 'None' and numbers in the browser's locale.)"""
    return pd.DataFrame({c: [_formatter(kinds.get(c, "text"), lang)(v) for v in frame[c]] for c in frame.columns},
                        index=frame.index)


def show_table(ctx: PageContext, frame: pd.DataFrame, labels: dict[str, str], name: str, key: str,
               kinds: dict[str, str] | None = None, height: int | None = None) -> None:
    """A table with translated headers and display_frame's texts, numbers right-aligned, and the download
    buttons (the files keep the raw values). `kinds`: column -> count/number/date/datetime (default text)."""
    kinds = kinds or {}
    shown = display_frame(frame, kinds, ctx.lang).rename(columns=labels)
    config = {labels.get(c, c): st.column_config.TextColumn(alignment="right")
              for c, kind in kinds.items() if kind in ("count", "number")}
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", column_config=config, key=key)
    download_buttons(frame.rename(columns=labels), ctx, safe_filename(name), key=key)


# ------------------------------------------------------------------ the wizard (Streamlit)
def render_import(ctx: PageContext) -> None:
    """The upload and, per uploaded file, the wizard. Only for users who may import."""
    settings = data.settings()
    types = list(settings.allowed_upload_types)
    st.caption(ctx.t("data.upload_hint"))
    files = st.file_uploader(
        ctx.t("data.upload_label"), type=types, accept_multiple_files=True, key="data_upload",
        max_upload_size=settings.max_upload_mb,
        help=ctx.t("data.upload_help", types=", ".join(f".{t}" for t in types), mb=settings.max_upload_mb))
    sweep_stale_uploads()
    max_bytes = settings.max_upload_mb * 1024 * 1024
    for item in sync_uploads(files, max_bytes):
        with st.container(border=True):
            st.subheader(item.shown_name, anchor=False)
            if item.size > max_bytes:
                st.error(ctx.t("data.too_large", name=item.shown_name, size=size_text(item.size, ctx.lang),
                               mb=settings.max_upload_mb))
                continue
            _render_file(ctx, item)


def _render_file(ctx: PageContext, item: FileImport) -> None:
    if item.result is not None:
        _render_outcome(ctx, item)
        return
    insp = _inspect(ctx, item)
    if insp is None:
        return
    _render_reading(ctx, item, insp)
    _render_table_choice(ctx, item, insp)
    _render_mapping(ctx, item, insp)
    _render_choices(ctx, item, insp)
    problems = [e for e in insp.blocking if e.code != "ambiguous_format"]
    for problem in problems:
        st.warning(file_error_text(ctx.t, ctx.lang, problem, item.shown_name, insp), icon=":material/warning:")
    with st.expander(ctx.t("data.sample_title")):
        st.dataframe(insp.sample.head(10).fillna(""), hide_index=True, width="stretch")
    if not insp.ready:
        if insp.choices:
            st.info(ctx.t("data.choice.open"), icon=":material/help:")
        return
    prepared = _prepared(ctx, item, insp)
    if prepared is not None:
        _render_report(ctx, item, prepared.result)
        _render_commit(ctx, item, prepared.result)


def _inspect(ctx: PageContext, item: FileImport) -> Inspection | None:
    """The inspection for the current options (read again only when they changed)."""
    if item.inspection is None or item.inspected_with != item.options:
        try:
            item.inspection = inspect_file(item.path, item.options, name=item.name)
        except ImportFileError as exc:
            item.inspection = None
            st.error(file_error_text(ctx.t, ctx.lang, exc, item.shown_name), icon=":material/error:")
            _sheet_choice(ctx, item, workbook_sheets(item.path, item.name))  # the data may be on another sheet
            _reset_button(ctx, item)
            return None
        except Exception as exc:  # noqa: BLE001 - a bug in reading must not cost the page; it is logged
            log.exception("inspecting %s failed", item.name)
            item.inspection = None
            st.error(ctx.t("data.unexpected", name=item.shown_name, problem=type(exc).__name__), icon=":material/error:")
            return None
        item.inspected_with = item.options
        for choice in item.inspection.choices:
            item.choices.setdefault(choice["source"], choice)
    return item.inspection


def _reset_button(ctx: PageContext, item: FileImport) -> None:
    if item.options != ImportOptions() and st.button(ctx.t("data.reset"), key=item.widget("reset")):
        item.set_options(ImportOptions())
        item.choices.clear()
        item.generation += 1
        st.rerun()


def _preset(key: str, value) -> None:
    """Show `value` in the widget `key` (set before the widget is drawn, so the wizard's state wins)."""
    st.session_state[key] = value


def _render_reading(ctx: PageContext, item: FileImport, insp: Inspection) -> None:
    info = insp.file
    st.caption(f"{size_text(item.size, ctx.lang)} · {file_description(ctx.t, info)}")
    if info.kind == "parquet" or (info.kind == "xlsx" and len(info.sheets) < 2):
        return
    one_column = any(e.code == "one_column" for e in insp.blocking)
    with st.expander(ctx.t("data.how_read"), expanded=one_column):
        if info.kind == "csv":
            left, right = st.columns(2)
            encoding = "utf-8" if info.encoding == "utf-8-sig" else info.encoding
            key = item.widget("encoding")
            _preset(key, encoding if encoding in ENCODINGS else ENCODINGS[0])
            left.selectbox(ctx.t("data.encoding_label"), ENCODINGS, key=key,
                           format_func=lambda e: encoding_text(ctx.t, e), on_change=_on_reading,
                           args=(item, key, "encoding"))
            key = item.widget("delimiter")
            _preset(key, info.delimiter if info.delimiter in DELIMITERS else DELIMITERS[0])
            right.selectbox(ctx.t("data.delimiter_label"), DELIMITERS, key=key,
                            format_func=lambda d: delimiter_text(ctx.t, d), on_change=_on_reading,
                            args=(item, key, "delimiter"))
        else:
            _sheet_choice(ctx, item, list(info.sheets), info.sheet)
        _reset_button(ctx, item)


def workbook_sheets(path: Path, name: str) -> list[str]:
    """The sheet names of an Excel workbook ([] for other files or a workbook that cannot be opened)."""
    if safe_suffix(name) not in (".xlsx", ".xlsm"):
        return []
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - the importer already said why the file cannot be read
        return []
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _sheet_choice(ctx: PageContext, item: FileImport, sheets: list[str], current: str | None = None) -> None:
    if len(sheets) < 2:
        return
    key = item.widget("sheet")
    chosen = item.options.sheet or current
    _preset(key, chosen if chosen in sheets else sheets[0])
    st.selectbox(ctx.t("data.sheet_label"), sheets, key=key, on_change=_on_reading, args=(item, key, "sheet"))


def _on_reading(item: FileImport, key: str, option: str) -> None:
    value = st.session_state.get(key)
    if value:
        item.set_options(item.options.with_changes(**{option: value}))


def _render_table_choice(ctx: PageContext, item: FileImport, insp: Inspection) -> None:
    scores = dict(insp.table_scores)
    key = item.widget("table")
    _preset(key, insp.table)
    st.selectbox(ctx.t("data.table_label"), list(TABLES), key=key, on_change=_on_table, args=(item, key),
                 format_func=lambda name: ctx.t("data.table_option", table=table_label(ctx.t, name),
                                                score=i18n.fmt_percent(scores.get(name, 0.0), ctx.lang, 0)))
    if insp.table_suggested:
        st.caption(ctx.t("data.table_suggested", score=i18n.fmt_percent(scores.get(insp.table, 0.0), ctx.lang, 0)))


def _on_table(item: FileImport, key: str) -> None:
    table = st.session_state.get(key)
    if table:
        # a new table starts from the proposal for its columns; the chosen formats stay (keyed by header)
        item.set_options(replace(item.options, table=table, mapping={}))


def _recognition(ctx: PageContext, match, column) -> str:
    if match is None:
        return ctx.t("data.method.missing" if column.required else "data.method.none")
    confidence = i18n.fmt_percent(match.confidence, ctx.lang, 0)
    return ctx.t(f"data.method.{match.method}", confidence=confidence)


def _render_mapping(ctx: PageContext, item: FileImport, insp: Inspection) -> None:
    st.markdown(f"**{ctx.t('data.mapping_title')}**")
    st.caption(ctx.t("data.mapping_intro"))
    headers = list(insp.file.headers)
    spec = get_table(insp.table)
    for column in spec.columns:
        match = insp.mapping.matches.get(column.name)
        label = column_label(ctx.t, insp.table, column.name)
        if column.required:
            label = ctx.t("data.required_mark", label=label)
        left, middle, right = st.columns([3, 3, 4], vertical_alignment="center")
        left.markdown(f"{label}  \n`{column.name}`")
        key = item.widget(f"map_{insp.table}_{column.name}")
        _preset(key, match.source if match else NOT_MAPPED)
        middle.selectbox(label, [NOT_MAPPED, *headers], key=key, label_visibility="collapsed",
                         format_func=lambda h: h or ctx.t("data.not_in_file"),
                         on_change=_on_map, args=(item, key, insp.table, column.name))
        fmt = insp.formats.get(column.name)
        notes = [_recognition(ctx, match, column)]
        if fmt is not None:
            notes.append(format_text(ctx.t, fmt, insp.file.native.get(match.source) if match else None))
            if fmt.examples:
                notes.append(ctx.t("data.examples", values=", ".join(md(e) for e in fmt.examples)))
        warn = match is None and column.required or match is not None and match.method in ("fuzzy", "word")
        right.caption(("⚠️ " if warn else "") + " · ".join(notes))
    similar = [m.source for m in insp.mapping.matches.values() if m.method in ("fuzzy", "word")]
    if similar:
        st.warning(ctx.t("data.check_similar", columns=quoted(similar, ctx.lang)), icon=":material/help:")
    if insp.kept_out:
        st.info(ctx.t("data.kept_out", columns=quoted(insp.kept_out, ctx.lang)), icon=":material/info:")


def _on_map(item: FileImport, key: str, table: str, target: str) -> None:
    header = st.session_state.get(key) or None
    # a header fills one column: taking it here removes it from the column the user gave it before
    mapping = {t: h for t, h in item.options.mapping.items() if header is None or h != header}
    mapping[target] = header
    item.set_options(replace(item.options, table=table, mapping=mapping))


def _open_choices(item: FileImport, insp: Inspection) -> list[dict]:
    """The format questions of this file: those open now and those the user already answered."""
    mapped = {m.source for m in insp.mapping.matches.values()}
    return [c for source, c in item.choices.items() if source in mapped]


def _render_choices(ctx: PageContext, item: FileImport, insp: Inspection) -> None:
    choices = _open_choices(item, insp)
    if not choices:
        return
    st.markdown(f"**{ctx.t('data.choice.title')}**")
    st.caption(ctx.t("data.choice.intro"))
    for choice in choices:
        source, kind = choice["source"], choice["kind"]
        chosen = (item.options.date_formats if kind == "date" else item.options.decimals).get(source)
        key = item.widget(f"fmt_{kind}_{source}")
        _preset(key, chosen if chosen in choice["options"] else None)
        example = choice["examples"][0] if choice.get("examples") else ""
        column = column_label(ctx.t, insp.table, choice["target"])
        subject = (ctx.t("data.choice.subject_plain", source=md(source)) if column == source else
                   ctx.t("data.choice.subject", source=md(source), column=column))
        label = ctx.t(f"data.choice.{kind}", subject=subject, example=md(example))
        st.selectbox(label, choice["options"], key=key, index=None, placeholder=ctx.t("data.choice.placeholder"),
                     format_func=lambda option, c=choice: choice_option_text(ctx.t, ctx.lang, c, option),
                     on_change=_on_choice, args=(item, key, source, kind))


def _on_choice(item: FileImport, key: str, source: str, kind: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    if kind == "date":
        item.set_options(item.options.with_changes(date_formats={source: value}))
    else:
        item.set_options(item.options.with_changes(decimals={source: value}))


def _progress(ctx: PageContext, text_key: str, name: str):
    bar = st.progress(0.0, text=ctx.t(text_key, name=name, step="…"))

    def report(share: float, message: str) -> None:
        bar.progress(min(max(float(share), 0.0), 1.0), text=ctx.t(text_key, name=name, step=step_text(ctx.t, message)))

    return bar, report


def _prepared(ctx: PageContext, item: FileImport, insp: Inspection) -> PreparedImport | None:
    """The checked file for the current options: checked right away when small, on request when large."""
    if item.prepared is not None and item.prepared_with == item.options:
        return item.prepared
    item.drop_prepared()
    if item.size > AUTO_CHECK_BYTES:
        st.caption(ctx.t("data.check.large", size=size_text(item.size, ctx.lang)))
        if not st.button(ctx.t("data.check.button"), key=item.widget("check"), help=ctx.t("data.check.help"),
                         type="primary", icon=":material/fact_check:"):
            return None
    bar, report = _progress(ctx, "data.check.checking", item.shown_name)
    try:
        prepared = prepare_import(item.path, item.options, name=item.name, progress=report, inspection=insp)
    except ImportFileError as exc:
        bar.empty()
        st.error(file_error_text(ctx.t, ctx.lang, exc, item.shown_name, insp), icon=":material/error:")
        return None
    except Exception as exc:  # noqa: BLE001 - logged; the user gets one sentence, the workspace is untouched
        log.exception("checking %s failed", item.name)
        bar.empty()
        st.error(ctx.t("data.unexpected", name=item.shown_name, problem=type(exc).__name__), icon=":material/error:")
        return None
    bar.empty()
    item.prepared, item.prepared_with = prepared, item.options
    return prepared


def _render_report(ctx: PageContext, item: FileImport, result: ImportResult) -> None:
    st.markdown(f"**{ctx.t('data.report.title')}**")
    cols = st.columns(3)
    for col, (key, value) in zip(cols, (("rows_read", result.rows_read), ("rows_accepted", result.rows_accepted),
                                        ("rows_rejected", result.rows_rejected)), strict=True):
        col.metric(ctx.t(f"data.report.{key}"), i18n.fmt_number(value, ctx.lang), help=ctx.t("data.report.rows_help"))
    if result.rows_empty:
        st.caption(ctx.t("data.report.rows_empty", count=i18n.fmt_number(result.rows_empty, ctx.lang)))
    if item.inspection is not None and result.file.encoding != item.inspection.file.encoding:
        st.info(ctx.t("data.report.reencoded", encoding=encoding_text(ctx.t, result.file.encoding)))
    read = i18n.fmt_number(result.rows_read, ctx.lang)
    if result.rows_rejected == 0:
        st.success(ctx.t("data.report.all_valid", read=read), icon=":material/check_circle:")
    elif result.rows_accepted == 0:
        st.error(ctx.t("data.report.none_valid", read=read), icon=":material/error:")
    else:
        st.warning(ctx.t("data.report.some_invalid", read=read,
                         rejected=i18n.fmt_number(result.rows_rejected, ctx.lang)), icon=":material/warning:")
    if result.rows_rejected:
        _render_rejects(ctx, item, result)
    if result.rows_accepted:
        _render_preview(ctx, result)


def _render_rejects(ctx: PageContext, item: FileImport, result: ImportResult) -> None:
    st.markdown(f"**{ctx.t('data.report.rejects_title')}**")
    frame = rejects_frame(ctx.t, result)
    labels = {c: ctx.t(f"data.col.{c}") for c in frame.columns}
    show_table(ctx, frame, labels, f"{Path(item.name).stem}_rejects", item.widget("rejects"), {"row": "count"},
               height=min(38 + 35 * len(frame), 320))
    if result.rejects_total > len(frame):
        st.caption(ctx.t("data.report.rejects_more", shown=i18n.fmt_number(len(frame), ctx.lang),
                         total=i18n.fmt_number(result.rejects_total, ctx.lang)))
        prepared = item.prepared
        st.download_button(ctx.t("data.report.rejects_all", total=i18n.fmt_number(result.rejects_total, ctx.lang)),
                           lambda: _all_rejects_csv(prepared), file_name=f"{safe_filename(Path(item.name).stem)}_rejects_all.csv",
                           mime="text/csv", key=item.widget("rejects_all"), on_click="ignore")


def _all_rejects_csv(prepared: PreparedImport) -> bytes:
    folder = Path(tempfile.mkdtemp(prefix="loyalty-rejects-"))
    try:
        return prepared.write_rejects(folder / "rejects.csv").read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _render_preview(ctx: PageContext, result: ImportResult) -> None:
    st.markdown(f"**{ctx.t('data.report.preview_title')}**")
    spec = get_table(result.table)
    mapped = [c for c in spec.column_names if c in result.mapping]
    labels = {c: column_label(ctx.t, result.table, c) for c in mapped}
    by_type = {"date": "date", "number": "number", "int": "count", "bool": "bool"}
    kinds = {c: by_type[spec.column(c).type] for c in mapped if spec.column(c).type in by_type}
    shown = display_frame(result.preview[mapped], kinds, ctx.lang).rename(columns=labels)
    config = {labels[c]: st.column_config.TextColumn(alignment="right") for c, k in kinds.items() if k in ("number", "count")}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    empty = [column_label(ctx.t, result.table, c) for c in get_table(result.table).column_names if c not in mapped]
    if empty:
        st.caption(ctx.t("data.report.preview_empty_columns", columns=quoted(empty, ctx.lang)))


def _render_commit(ctx: PageContext, item: FileImport, result: ImportResult) -> None:
    if result.rows_accepted == 0:
        return
    st.markdown(f"**{ctx.t('data.commit.title')}**")
    policy = "accept_valid"
    if result.rows_rejected:
        accepted = i18n.fmt_number(result.rows_accepted, ctx.lang)
        policy = st.radio(ctx.t("data.commit.policy_label"), ("accept_valid", "all_or_nothing"), index=None,
                          key=item.widget("policy"),
                          format_func=lambda p: ctx.t(f"data.commit.policy_{p}", accepted=accepted))
    table = table_label(ctx.t, result.table)
    tables = data.workspace().snapshot().tables
    state = tables.get(result.table)
    if state is not None:
        kind = ctx.t("data.overview.kind_demo" if state.source == DEMO_SOURCE else "data.overview.kind_import")
        st.caption(ctx.t("data.commit.table_now", table=table, rows=i18n.fmt_number(state.rows, ctx.lang), kind=kind))
    else:
        st.caption(ctx.t("data.commit.table_new", table=table))
    demo_others = [table_label(ctx.t, n) for n in TABLES
                   if n != result.table and n in tables and tables[n].source == DEMO_SOURCE]
    if demo_others:
        st.caption(ctx.t("data.commit.demo_others", tables=quoted(demo_others, ctx.lang)))
    mode = st.radio(ctx.t("data.commit.mode_label"), ("replace", "append"), key=item.widget("mode"),
                    format_func=lambda m: ctx.t(f"data.commit.mode_{m}", table=table)) or "replace"
    if policy is None:
        st.caption(ctx.t("data.commit.choose_policy"))
    label = (ctx.t("data.commit.button_nothing") if policy == "all_or_nothing" else
             ctx.t("data.commit.button", rows=i18n.fmt_number(result.rows_accepted, ctx.lang), table=table))
    if st.button(label, key=item.widget("import"), type="primary", disabled=policy is None,
                 icon=":material/upload:"):
        _commit(ctx, item, mode, policy)


def _commit(ctx: PageContext, item: FileImport, mode: str, policy: str) -> None:
    """Write through the GuardedWorkspace: the server checks the permission, whatever the browser sent."""
    user = auth.require_permission("import")
    workspace = auth.workspace()
    bar, report = _progress(ctx, "data.check.importing", item.shown_name)
    try:
        result = item.prepared.commit(workspace, mode=mode, policy=policy, user=user.name,
                                      rejects_dir=default_rejects_dir(workspace), progress=report)
    except Exception as exc:  # noqa: BLE001 - the store leaves the workspace unchanged when a write fails
        log.exception("import of %s failed", item.name)
        bar.empty()
        st.error(ctx.t("data.commit.failed", name=item.shown_name, problem=str(exc) or type(exc).__name__),
                 icon=":material/error:")
        return
    bar.empty()
    if not result.imported:  # "import nothing" was chosen: the refusal is logged, the wizard stays open
        st.error(refusal_text(ctx.t, ctx.lang, item.shown_name, result), icon=":material/block:")
        return
    item.result = result
    item.close()
    st.rerun()  # every part of the page (and the sidebar's date range) reads the new workspace version


def refusal_text(t: Translate, lang: str, name: str, r: ImportResult) -> str:
    n = _numbers(lang)
    if r.rows_accepted == 0:
        return t("data.commit.refused_none", name=name, read=n(r.rows_read))
    rows = ", ".join(str(x) for x in r.rejected_rows) + (" …" if r.rows_rejected > len(r.rejected_rows) else "")
    return t("data.commit.refused", name=name, rejected=n(r.rows_rejected), read=n(r.rows_read), rows=rows,
             accepted=n(r.rows_accepted))


def success_text(t: Translate, lang: str, name: str, r: ImportResult) -> str:
    n = _numbers(lang)
    return t("data.commit.imported", name=name, written=n(r.rows_written), table=table_label(t, r.table),
             mode=t(f"data.commit.mode_done_{r.mode}"), read=n(r.rows_read), rejected=n(r.rows_rejected),
             duplicates=n(r.duplicates_skipped), total=n(r.rows_total))


def _render_outcome(ctx: PageContext, item: FileImport) -> None:
    r = item.result
    st.success(success_text(ctx.t, ctx.lang, item.shown_name, r), icon=":material/check_circle:")
    if r.rejects_path and r.rows_rejected:
        st.caption(ctx.t("data.commit.rejects_saved", path=str(r.rejects_path)))


def _numbers(lang: str) -> Callable[[float | None], str]:
    return lambda value: i18n.fmt_number(value, lang)
