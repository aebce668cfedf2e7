"""What the workspace holds (one row per contract table), the admin actions delete a table / restore the demo
data, and the change log. Reads only the manifest and changes.jsonl (no query), so it is instant."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from components import auth, data
from components.context import PageContext
from components.data_import import DEMO_SOURCE, show_table, table_label
from loyalty import i18n
from loyalty.contract import TABLES
from loyalty.store import Snapshot

log = logging.getLogger("loyalty.data_overview")

FLASH_KEY = "_data_flash"  # messages shown once after a rerun (deleted, restored)
CHANGES_SHOWN = 500
OVERVIEW_COLUMNS = ("table", "rows", "first_date", "last_date", "updated", "source", "kind")
CHANGE_COLUMNS = ("time", "user", "action", "table", "file", "rows_read", "rows_accepted", "rows_rejected",
                  "rows_written", "duplicates", "rows_total")
COUNT_COLUMNS = ("rows_read", "rows_accepted", "rows_rejected", "rows_written", "duplicates", "rows_total")


def _utc(text: str | None) -> datetime | None:
    """An ISO time of the store (with offset) as naive UTC, for a datetime column."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _day(text: str | None):
    return datetime.fromisoformat(text[:10]).date() if text else None


def overview_frame(snapshot: Snapshot, t) -> pd.DataFrame:
    """One row per contract table: rows, date range, last change (UTC), source file and origin."""
    rows = []
    for name in TABLES:
        state = snapshot.tables.get(name)
        if state is None:
            kind = t("data.overview.kind_missing")
        else:
            kind = t("data.overview.kind_demo" if state.source == DEMO_SOURCE else "data.overview.kind_import")
        rows.append({
            "table": table_label(t, name),
            "rows": state.rows if state else 0,
            "first_date": _day(state.min_date) if state else None,
            "last_date": _day(state.max_date) if state else None,
            "updated": _utc(state.updated_at) if state else None,
            "source": state.source if state else "",
            "kind": kind,
        })
    frame = pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))
    frame["rows"] = frame["rows"].astype("Int64")
    return frame


def changes_frame(entries: list[dict], t) -> pd.DataFrame:
    """The change log (newest first) with translated actions and table names."""
    rows = []
    for entry in entries:
        action = str(entry.get("action", ""))
        action_key = f"data.changes.action.{action}"
        table = entry.get("table")
        rows.append({
            "time": _utc(entry.get("time")),
            "user": entry.get("user", ""),
            "action": t(action_key) if t(action_key) != action_key else action,
            "table": table_label(t, table) if table in TABLES else (table or ""),
            "file": entry.get("source") or entry.get("file") or "",
            "rows_read": entry.get("rows_read"),
            "rows_accepted": entry.get("rows_accepted"),
            "rows_rejected": entry.get("rows_rejected"),
            "rows_written": entry.get("rows_written"),
            "duplicates": entry.get("duplicates_skipped"),
            "rows_total": entry.get("rows_total"),
        })
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    for column in COUNT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


def _flash(message: str) -> None:
    st.session_state.setdefault(FLASH_KEY, []).append(message)


def render_overview(ctx: PageContext) -> None:
    for message in st.session_state.pop(FLASH_KEY, []):
        st.success(message, icon=":material/check_circle:")
    snapshot = data.workspace().snapshot()
    st.caption(ctx.t("data.overview.intro"))
    if not snapshot.tables:
        st.info(ctx.t("data.overview.empty"), icon=":material/info:")
    frame = overview_frame(snapshot, ctx.t)
    labels = {c: ctx.t(f"data.overview.col.{c}") for c in OVERVIEW_COLUMNS}
    kinds = {"rows": "count", "first_date": "date", "last_date": "date", "updated": "datetime"}
    show_table(ctx, frame, labels, "workspace", "data_overview", kinds)
    st.caption(ctx.t("data.overview.version", version=snapshot.version))
    if any(state.source == DEMO_SOURCE for state in snapshot.tables.values()):
        st.caption(ctx.t("data.overview.demo_note"))
    if not auth.allowed("delete_data"):
        st.caption(ctx.t("data.overview.admin_only"))
        return
    _render_delete(ctx, snapshot)
    _render_restore(ctx)


def _render_delete(ctx: PageContext, snapshot: Snapshot) -> None:
    with st.expander(ctx.t("data.overview.delete_title"), icon=":material/delete:"):
        present = [name for name in TABLES if name in snapshot.tables]
        if not present:
            st.caption(ctx.t("data.overview.nothing_to_delete"))
            return
        st.caption(ctx.t("data.overview.delete_intro"))
        name = st.selectbox(ctx.t("data.overview.delete_select"), present, key="data_delete_table",
                            format_func=lambda n: table_label(ctx.t, n))
        rows = i18n.fmt_number(snapshot.tables[name].rows, ctx.lang)
        # the confirmation belongs to one table and one version: it never carries over to the next deletion
        confirmed = st.checkbox(ctx.t("data.overview.delete_confirm", table=table_label(ctx.t, name), rows=rows),
                                key=f"data_delete_confirm_{name}_{snapshot.version}")
        if st.button(ctx.t("data.overview.delete_button"), key="data_delete_button", type="primary",
                     disabled=not confirmed, icon=":material/delete_forever:"):
            delete_table(ctx, name)


def delete_table(ctx: PageContext, name: str) -> None:
    auth.require_permission("delete_data")
    try:
        auth.workspace().delete(name)
    except Exception as exc:  # noqa: BLE001 - the store leaves the workspace unchanged when it fails
        log.exception("deleting %s failed", name)
        st.error(ctx.t("data.overview.failed", problem=str(exc) or type(exc).__name__))
        return
    _flash(ctx.t("data.overview.deleted", table=table_label(ctx.t, name)))
    st.rerun()


def _render_restore(ctx: PageContext) -> None:
    customers = data.settings().demo_customers
    with st.expander(ctx.t("data.overview.restore_title"), icon=":material/restart_alt:"):
        st.caption(ctx.t("data.overview.restore_intro", customers=i18n.fmt_number(customers, ctx.lang)))
        version = data.workspace().version
        confirmed = st.checkbox(ctx.t("data.overview.restore_confirm"), key=f"data_restore_confirm_{version}")
        if st.button(ctx.t("data.overview.restore_button"), key="data_restore_button", type="primary",
                     disabled=not confirmed, icon=":material/restart_alt:"):
            restore_demo(ctx, customers)


def restore_demo(ctx: PageContext, customers: int) -> None:
    """Clear every table and generate the demo data again (admins only; checked on the server)."""
    from loyalty.demo import generate

    auth.require_permission("delete_data")
    workspace = auth.workspace()
    text = ctx.t("data.overview.restoring")
    bar = st.progress(0.0, text=text)
    try:
        workspace.clear()
        generate(workspace, customers=customers,
                 progress=lambda share, _message: bar.progress(min(max(share, 0.0), 1.0),
                                                               text=f"{text} {i18n.fmt_percent(share, ctx.lang, 0)}"))
    except Exception as exc:  # noqa: BLE001 - shown as one sentence; the log has the details
        log.exception("restoring the demo data failed")
        bar.empty()
        st.error(ctx.t("data.overview.failed", problem=str(exc) or type(exc).__name__))
        return
    bar.empty()
    _flash(ctx.t("data.overview.restored"))
    st.rerun()


def render_changes(ctx: PageContext) -> None:
    entries = data.workspace().changes(limit=CHANGES_SHOWN)
    if not entries:
        st.info(ctx.t("data.changes.empty"), icon=":material/info:")
        return
    st.caption(ctx.t("data.changes.intro", count=i18n.fmt_number(len(entries), ctx.lang)))
    frame = changes_frame(entries, ctx.t)
    labels = {c: ctx.t(f"data.changes.col.{c}") for c in CHANGE_COLUMNS}
    kinds = {**{c: "count" for c in COUNT_COLUMNS}, "time": "datetime"}
    show_table(ctx, frame, labels, "change_log", "data_changes", kinds, height=min(38 + 35 * len(frame), 420))
