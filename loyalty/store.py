"""The workspace store: one Parquet dataset per table, a manifest that names the current files.

Consistency model
- A table's data lives in immutable files `tables/<table>/v<version>-<n>.parquet`.
- `manifest.json` names the files that make up each table at the current version. It is replaced
  atomically (write a temporary file, fsync, rename), so a reader sees either the old or the new state,
  never a half-written one. A failed write leaves the manifest, and so the workspace, untouched.
- Writers serialise through an exclusive file lock (`.lock`), across threads and processes.
- Files that drop out of the manifest are deleted only `keep_versions` writes later, so a reader that
  opened the previous snapshot can finish its queries.
- Every change is appended to `changes.jsonl` (who, when, table, source, rows).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from loyalty.contract import TABLES, ContractError, get_table
from loyalty.derived import DERIVED, DERIVED_VERSION, READS

MANIFEST = "manifest.json"
CHANGES = "changes.jsonl"
LOCK = ".lock"
ROW_GROUP_SIZE = 122_880

_thread_lock = threading.Lock()  # flock is per open file; this also serialises threads of one process


class StoreError(RuntimeError):
    """A workspace operation failed; the workspace is unchanged."""


@dataclass(frozen=True)
class TableState:
    name: str
    files: tuple[str, ...]
    rows: int
    updated_at: str
    source: str = ""
    min_date: str | None = None
    max_date: str | None = None
    derived: dict[str, list[str]] = field(default_factory=dict)
    derived_version: int = 1  # loyalty.derived.DERIVED_VERSION when the derived tables were written

    @property
    def derived_current(self) -> bool:
        return self.derived_version == DERIVED_VERSION and set(self.derived or {}) == set(DERIVED.get(self.name, {}))


@dataclass(frozen=True)
class Snapshot:
    """What the workspace held at one version; paths are absolute."""

    root: Path
    version: int
    tables: dict[str, TableState] = field(default_factory=dict)
    demo: bool = False

    def files(self, table: str) -> list[Path]:
        state = self.tables.get(table)
        return [self.root / f for f in state.files] if state else []

    def derived_files(self, name: str) -> list[Path]:
        """Files of a derived table (see loyalty/derived.py); empty if they were written by an older version
        (the views then compute the table)."""
        for state in self.tables.values():
            if name in (state.derived or {}) and state.derived_current:
                return [self.root / f for f in state.derived[name]]
        return []

    def has(self, table: str) -> bool:
        state = self.tables.get(table)
        return bool(state and state.files and state.rows > 0)

    def outdated_derived(self) -> list[str]:
        """Tables whose derived tables were written by an older version (Workspace.rebuild_derived)."""
        return [name for name, state in self.tables.items()
                if name in DERIVED and state.files and not state.derived_current]


@dataclass(frozen=True)
class WriteResult:
    table: str
    mode: str
    rows_written: int
    rows_total: int
    duplicates_skipped: int
    version: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Workspace:
    def __init__(self, root: str | Path, keep_versions: int = 3, memory_limit: str = "2GB"):
        self.root = Path(root).resolve()
        self.keep_versions = keep_versions
        self.memory_limit = memory_limit

    # ----------------------------------------------------------------- reading
    def _read_manifest(self) -> dict:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": 0, "tables": {}, "retired": [], "demo": False}
        return json.loads(path.read_text(encoding="utf-8"))

    def snapshot(self) -> Snapshot:
        manifest = self._read_manifest()
        tables = {
            name: TableState(name=name, **{k: v for k, v in state.items() if k in TableState.__dataclass_fields__})
            for name, state in manifest.get("tables", {}).items()
        }
        return Snapshot(self.root, manifest.get("version", 0), tables, manifest.get("demo", False))

    @property
    def version(self) -> int:
        return self._read_manifest().get("version", 0)

    def is_empty(self) -> bool:
        return not self.snapshot().tables

    def changes(self, limit: int | None = None) -> list[dict]:
        path = self.root / CHANGES
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        entries.reverse()  # newest first
        return entries[:limit] if limit else entries

    # ----------------------------------------------------------------- writing
    @contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with _thread_lock, open(self.root / LOCK, "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def staging_path(self, suffix: str = ".parquet") -> Path:
        """A fresh path inside the workspace (same file system, so the final rename is atomic)."""
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        return staging / f"{uuid.uuid4().hex}{suffix}"

    def write(
        self,
        table: str,
        data: pa.Table | Iterable[pa.RecordBatch] | Path,
        *,
        mode: str = "replace",
        source: str = "",
        user: str = "local",
        log_extra: dict | None = None,
        demo: bool | None = None,
    ) -> WriteResult:
        """Replace or append a table. `data` is an Arrow table, record batches, or a staged Parquet file
        whose columns are contract names (missing optional columns are added as nulls)."""
        spec = get_table(table)
        if mode not in ("replace", "append"):
            raise StoreError(f"mode must be 'replace' or 'append', not {mode!r}")
        staged = self._stage(data)
        try:
            with self.lock():
                return self._commit(spec, staged, mode, source, user, log_extra or {}, demo)
        finally:
            staged.unlink(missing_ok=True)

    def _stage(self, data) -> Path:
        if isinstance(data, Path):
            return data  # already a staged file; _commit reads, casts and sorts it
        staged = self.staging_path()
        if isinstance(data, pa.Table):
            batches: Iterable[pa.RecordBatch] = data.to_batches()
            schema = data.schema
        else:
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise StoreError("No rows to write")
            schema = first.schema
            batches = _chain(first, iterator)
        import pyarrow.parquet as pq

        try:
            with pq.ParquetWriter(staged, schema) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        except BaseException:
            staged.unlink(missing_ok=True)  # a failing producer leaves nothing behind
            raise
        return staged

    def _commit(self, spec, staged: Path, mode, source, user, log_extra, demo) -> WriteResult:
        manifest = self._read_manifest()
        version = manifest.get("version", 0) + 1
        rel_dir = Path("tables") / spec.name
        (self.root / rel_dir).mkdir(parents=True, exist_ok=True)
        final_rel = rel_dir / f"v{version:06d}-{uuid.uuid4().hex[:8]}.parquet"
        final = self.root / final_rel
        tmp = final.with_suffix(".parquet.tmp")
        old_state = manifest.get("tables", {}).get(spec.name)
        old_files = [str(self.root / f) for f in old_state["files"]] if old_state else []

        created: list[Path] = []  # derived files of this write, removed again if it fails
        con = self._connection()
        try:
            present = {r[0] for r in con.execute("describe select * from read_parquet($f)", {"f": str(staged)}).fetchall()}
            unknown = present - set(spec.column_names)
            if unknown:
                raise ContractError(f"{spec.name}: columns not in the data contract: {', '.join(sorted(unknown))}")
            missing = [c for c in spec.required if c not in present]
            if missing:
                raise ContractError(f"{spec.name}: required column(s) missing: {', '.join(missing)}")
            select = ", ".join(
                f'cast("{c.name}" as {c.sql_type}) as "{c.name}"' if c.name in present
                else f'cast(null as {c.sql_type}) as "{c.name}"'
                for c in spec.columns
            )
            con.execute(f"create view new_rows as select {select} from read_parquet('{_sql_path(staged)}')")
            nulls = " + ".join(f'count(*) filter (where "{c}" is null)' for c in spec.required) or "0"
            bad = con.execute(f"select {nulls} from new_rows").fetchone()[0]
            if bad:
                raise ContractError(f"{spec.name}: {bad} empty values in required columns")
            new_count = con.execute("select count(*) from new_rows").fetchone()[0]
            duplicates = 0
            body = "select * from new_rows"
            files: list[str]
            if mode == "append" and old_files:
                file_list = ", ".join(f"'{_sql_path(Path(f))}'" for f in old_files)
                con.execute(f"create view old_rows as select * from read_parquet([{file_list}])")
                body = "select * from new_rows except all select * from old_rows"
                files = list(old_state["files"])
            else:
                files = []
            order = f" order by {', '.join(spec.sort_by)}" if spec.sort_by else ""
            con.execute(
                f"copy ({body}{order}) to '{_sql_path(tmp)}' (format parquet, compression zstd, row_group_size {ROW_GROUP_SIZE})"
            )
            written = con.execute("select count(*) from read_parquet($f)", {"f": str(tmp)}).fetchone()[0]
            duplicates = new_count - written if mode == "append" and old_files else 0
            all_files = files + ([str(final_rel)] if written or not files else [])
            date_col = spec.sort_by[0] if spec.sort_by and spec.column(spec.sort_by[0]).type == "date" else None
            abs_files = [str(self.root / f) for f in all_files]
            if written or not files:
                os.replace(tmp, final)
            else:
                tmp.unlink(missing_ok=True)
            stats = con.execute(
                "select count(*)" + (f", min({date_col})::varchar, max({date_col})::varchar" if date_col else "")
                + " from read_parquet($files)",
                {"files": abs_files},
            ).fetchone()
            table_files = {**self._table_files(manifest), spec.name: abs_files}
            derived = self._build_derived(con, spec.name, abs_files, version, created, table_files)
            dependents, dependent_retired = self._rebuild_dependents(con, manifest, spec.name, table_files, version,
                                                                      created)
        except duckdb.Error as exc:
            for path in [tmp, final, *created]:
                path.unlink(missing_ok=True)
            raise StoreError(f"Writing {spec.name} failed, nothing was changed: {exc}") from exc
        except BaseException:
            for path in [tmp, final, *created]:
                path.unlink(missing_ok=True)
            raise
        finally:
            con.close()

        state = {
            "files": all_files,
            "rows": int(stats[0]),
            "updated_at": _now(),
            "source": source,
            "min_date": stats[1] if date_col else None,
            "max_date": stats[2] if date_col else None,
            "derived": derived,
            "derived_version": DERIVED_VERSION,
        }
        retired = ([f for f in (old_state["files"] if old_state else []) if f not in all_files]
                   + _derived_of(old_state or {}) + dependent_retired)
        try:
            self._publish(manifest, version, {spec.name: state, **dependents}, retired, demo)
        except BaseException:
            if str(final_rel) in all_files:
                final.unlink(missing_ok=True)  # no manifest names it: do not leave an orphan behind
            for path in created:
                path.unlink(missing_ok=True)
            raise
        self._log(dict(action=mode, table=spec.name, source=source, user=user, version=version,
                       rows_written=int(written), rows_total=int(stats[0]), duplicates_skipped=int(duplicates),
                       **log_extra))
        return WriteResult(spec.name, mode, int(written), int(stats[0]), int(duplicates), version)

    def _build_derived(self, con, table: str, abs_files: list[str], version: int, created: list[Path],
                       table_files: dict[str, list[str]]) -> dict:
        """Write the derived tables of `table` (loyalty/derived.py) from all its files; relative paths.
        table_files: the absolute files of every table after this write (for the derived tables it reads)."""
        result: dict[str, list[str]] = {}
        if not abs_files:
            return result
        for name, other in READS.get(table, {}).items():  # e.g. customer_attributes for orders
            sql, _ = DERIVED[other][name]
            con.execute(f"create or replace view {name} as with source as ({_relation(other, table_files.get(other, []))}) "
                        f"select * from ({sql})")
        con.execute(f"create or replace view source as {_relation(table, abs_files)}")
        for name, (sql, sort_by) in DERIVED.get(table, {}).items():
            rel = Path("tables") / "_derived" / name / f"v{version:06d}-{uuid.uuid4().hex[:8]}.parquet"
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            created.append(target)
            con.execute(f"copy (select * from ({sql}) order by {', '.join(sort_by)}) to '{_sql_path(target)}' "
                        f"(format parquet, compression zstd, row_group_size {ROW_GROUP_SIZE})")
            # a later derived table of the same source may build on this one
            con.execute(f"create or replace view {name} as select * from read_parquet('{_sql_path(target)}')")
            result[name] = [str(rel)]
        return result

    def _rebuild_dependents(self, con, manifest: dict, changed: str, table_files: dict[str, list[str]],
                            version: int, created: list[Path]) -> tuple[dict, list[str]]:
        """Rebuild the derived tables of the tables that read `changed` (loyalty.derived.READS).
        Returns their new states and their old derived files (to retire)."""
        states, retired = {}, []
        for table, reads in READS.items():
            state = manifest.get("tables", {}).get(table)
            if changed not in reads.values() or table == changed or not state or not state.get("files"):
                continue
            derived = self._build_derived(con, table, table_files[table], version, created, table_files)
            states[table] = {**state, "derived": derived, "derived_version": DERIVED_VERSION}
            retired += _derived_of(state)
        return states, retired

    def rebuild_derived(self, user: str = "local") -> list[str]:
        """Rebuild the derived tables of every table whose derived tables were written by an older version;
        one atomic workspace version per table. Returns the tables rebuilt."""
        rebuilt = []
        for table in DERIVED:
            with self.lock():
                manifest = self._read_manifest()
                if table not in self.snapshot().outdated_derived():
                    continue
                state = manifest["tables"][table]
                version = manifest.get("version", 0) + 1
                table_files = self._table_files(manifest)
                with self._derived_write() as (con, created):
                    derived = self._build_derived(con, table, table_files[table], version, created, table_files)
                    self._publish(manifest, version, {table: {**state, "derived": derived,
                                                              "derived_version": DERIVED_VERSION}},
                                  _derived_of(state), None)
                self._log(dict(action="rebuild_derived", table=table, user=user, version=version,
                               rows_total=state["rows"]))
                rebuilt.append(table)
        return rebuilt

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection for writing: bounded memory, sorts spill to the workspace's staging folder."""
        con = duckdb.connect()
        con.execute("set preserve_insertion_order=false")
        con.execute(f"set memory_limit='{self.memory_limit}'")
        con.execute(f"set temp_directory='{_sql_path(self.root / '.staging' / 'spill')}'")
        return con

    @contextmanager
    def _derived_write(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[Path]]]:
        """A write connection and the list of derived files it creates; they are removed if the block fails."""
        created: list[Path] = []
        con = self._connection()
        try:
            yield con, created
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise
        finally:
            con.close()

    def _table_files(self, manifest: dict) -> dict[str, list[str]]:
        """Absolute files of every table of a manifest."""
        return {name: [str(self.root / f) for f in st["files"]] for name, st in manifest.get("tables", {}).items()}

    def delete(self, table: str, user: str = "local") -> int:
        get_table(table)
        with self.lock():
            manifest = self._read_manifest()
            old = manifest.get("tables", {}).get(table)
            if not old:
                return manifest.get("version", 0)
            version = manifest.get("version", 0) + 1
            table_files = {name: files for name, files in self._table_files(manifest).items() if name != table}
            with self._derived_write() as (con, created):
                dependents, dependent_retired = self._rebuild_dependents(con, manifest, table, table_files, version,
                                                                          created)
                self._publish(manifest, version, {table: None, **dependents},
                              list(old["files"]) + _derived_of(old) + dependent_retired, None)
            self._log(dict(action="delete", table=table, user=user, version=version, rows_total=0))
            return version

    def clear(self, user: str = "local") -> None:
        """Remove every table (used before regenerating demo data)."""
        for table in list(self.snapshot().tables):
            self.delete(table, user=user)

    def set_demo(self, demo: bool) -> None:
        with self.lock():
            manifest = self._read_manifest()
            manifest["demo"] = demo
            _atomic_write_text(self.root / MANIFEST, json.dumps(manifest, indent=2))

    def _publish(self, manifest: dict, version: int, changes: dict, retired: list[str], demo) -> None:
        tables = dict(manifest.get("tables", {}))
        for name, state in changes.items():
            if state is None:
                tables.pop(name, None)
            else:
                tables[name] = state
        garbage = list(manifest.get("retired", []))
        if retired:
            garbage.append({"version": version, "files": retired})
        due = [g for g in garbage if g["version"] <= version - self.keep_versions]
        keep = [g for g in garbage if g["version"] > version - self.keep_versions]
        new_manifest = {
            "version": version,
            "tables": tables,
            "retired": keep,
            "demo": manifest.get("demo", False) if demo is None else demo,
        }
        _atomic_write_text(self.root / MANIFEST, json.dumps(new_manifest, indent=2))
        for entry in due:  # only after the new manifest is in place
            for rel in entry["files"]:
                (self.root / rel).unlink(missing_ok=True)

    def _log(self, entry: dict) -> None:
        entry = {"time": _now(), **entry}
        with open(self.root / CHANGES, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def log_event(self, **entry) -> None:
        """Record a change that is not a table write (e.g. a rejected import) in the change log."""
        with self.lock():
            self._log(entry)


def _chain(first, rest):
    yield first
    yield from rest


def _derived_of(state: dict) -> list[str]:
    """The derived files a table state names (relative paths)."""
    return [f for files in (state.get("derived") or {}).values() for f in files]


def _relation(table: str, files: list[str]) -> str:
    """SQL reading a contract table's files; without files an empty relation with the contract's columns."""
    if files:
        return "select * from read_parquet([" + ", ".join(f"'{_sql_path(Path(f))}'" for f in files) + "])"
    columns = ", ".join(f'cast(null as {c.sql_type}) as "{c.name}"' for c in TABLES[table].columns)
    return f"select {columns} where false"


def _sql_path(path: Path) -> str:
    # COPY targets and view definitions cannot take bound parameters; these paths are ours (workspace
    # root + uuid file names), never user input
    return str(path).replace("'", "''")


__all__ = ["Workspace", "Snapshot", "TableState", "WriteResult", "StoreError", "ContractError", "TABLES"]
