"""The Data page under AppTest (upload -> check -> import, the overview, the change log, roles) and the
pure helpers of components/data_import.py and components/data_overview.py.

The German export used throughout (GERMAN_CSV, cp1252 bytes, `;`, decimal comma, dd.mm.yyyy, euro signs):

    row 1  Kundennummer;Belegdatum;Umsatz (€);Belegnummer;Warengruppe;Bemerkung
    row 2  K1;05.01.2026;1.234,50 €;B1;Garten;Stammkunde
    row 3  K1;05.01.2026;15,50 €;B1;Dünger;
    row 4  K2;07.01.2026;99,00 €;B2;Grill;
    row 5  K1;10.02.2026;50,00 €;B3;Garten;
    row 6  K3;31.02.2026;20,00 €;B4;Deko;        <- 31 February does not exist: rejected

Hand calculation after importing the valid rows (rows 2-5) into transactions:
    orders: B1 = 1,234.50 + 15.50 = 1,250.00 (K1), B2 = 99.00 (K2), B3 = 50.00 (K1) -> 3 orders
    active customers 2 (K1, K2); revenue 1,250 + 99 + 50 = 1,399.00; avg order value 1,399 / 3 = 466.33;
    repeat purchase rate: K1 has 2 orders, K2 has 1 -> 1 / 2 = 50.0 %; orders per customer 3 / 2 = 1.50.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from components import data as data_component
from components import data_import
from components.data_import import (
    choice_option_text,
    date_pattern,
    display_frame,
    file_error_text,
    md,
    reason_text,
    safe_suffix,
    store_upload,
    sweep_stale_uploads,
)
from components.data_overview import changes_frame, overview_frame
from loyalty import i18n
from loyalty.auth import USERS_FILE_ENV, UserStore
from loyalty.contract import TABLES, get_table
from loyalty.demo import generate
from loyalty.importing import ImportFileError, inspect_file
from loyalty.settings import Settings
from loyalty.store import Workspace
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, ROOT, make_workspace

GERMAN_CSV = (
    "Kundennummer;Belegdatum;Umsatz (€);Belegnummer;Warengruppe;Bemerkung\r\n"
    "K1;05.01.2026;1.234,50 €;B1;Garten;Stammkunde\r\n"
    "K1;05.01.2026;15,50 €;B1;Dünger;\r\n"
    "K2;07.01.2026;99,00 €;B2;Grill;\r\n"
    "K1;10.02.2026;50,00 €;B3;Garten;\r\n"
    "K3;31.02.2026;20,00 €;B4;Deko;\r\n"
).encode("cp1252")
AMBIGUOUS_CSV = b"customer_id,order_date,revenue\nA,01/02/2026,10.5\nB,03/04/2026,20\n"
PASSWORD = "correct-horse-battery"


def de(key: str, **values) -> str:
    return i18n.t(key, "de", **values)


def en(key: str, **values) -> str:
    return i18n.t(key, "en", **values)


# ------------------------------------------------------------------ running the app
@pytest.fixture()
def app_env(monkeypatch, tmp_path):
    """The app as `python -m loyalty serve` runs it (Streamlit's pages-folder mode off), pointed at a
    workspace under tmp_path; no user file, so single-user mode (every permission) unless a test adds one."""
    original_init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)
    root = tmp_path / "ws"
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(root))
    monkeypatch.setenv("LOYALTY_AUTO_DEMO", "0")
    monkeypatch.setenv("LOYALTY_DEMO_CUSTOMERS", "150")
    monkeypatch.setenv(USERS_FILE_ENV, str(tmp_path / "users.json"))
    monkeypatch.delenv("LOYALTY_REQUIRE_LOGIN", raising=False)
    monkeypatch.setattr(data_component, "SETTINGS", Settings.from_env())
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(data_import, "upload_root", lambda: uploads)
    return root


def open_data(lang: str = "de", session_user: tuple[UserStore, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    if session_user:
        store, name = session_user
        at.session_state["_auth_session"] = {"name": name, "stamp": store.credential_stamp(name)}
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="data_upload").set_value([(name, content, "text/csv") for name, content in files]).run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, suffix: str):
    return next(b for b in at.button if b.key and b.key.endswith(suffix))


def radio(at: AppTest, suffix: str):
    return next(r for r in at.radio if r.key and r.key.endswith(suffix))


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column` (tables are found by their translated headers)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def problems(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


# ------------------------------------------------------------------ the page runs
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("content", ["empty", "demo"])
def test_page_runs_on_empty_and_demo_workspaces(app_env, lang, content):
    if content == "demo":
        generate(Workspace(app_env), customers=150, seed=3)
    at = open_data(lang)
    assert not problems(at), problems(at)
    t = de if lang == "de" else en
    assert [tab.label for tab in at.tabs] == [t("data.tab_import"), t("data.tab_overview"), t("data.tab_changes")]
    assert at.file_uploader(key="data_upload").label == t("data.upload_label")
    overview = frame_with(at, t("data.overview.col.kind"))
    assert list(overview[t("data.overview.col.table")]) == [t(f"data.table.{n}") for n in TABLES]
    if content == "empty":
        assert t("data.overview.empty") in [i.value for i in at.info]
        assert t("data.changes.empty") in [i.value for i in at.info]
    else:
        assert set(overview[t("data.overview.col.kind")]) == {t("data.overview.kind_demo")}
        assert len(frame_with(at, t("data.changes.col.action"))) == 8  # one change log line per demo table


# ------------------------------------------------------------------ the German export, end to end
def test_german_csv_upload_check_import_and_the_cockpit_follows(app_env):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    cockpit = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    cockpit.query_params["lang"] = "de"
    cockpit.run()
    # before: the fixture (tests/conftest.py): orders o1, o2 (A), B's day, o3 (C), o4 (D) = 5 orders of 4
    # customers; revenue 10 + 20 + 50 + 15 + 5 + 100 - 10 + 40 = 230
    assert metrics(cockpit)["Bestellungen"] == "5" and metrics(cockpit)["Umsatz"] == "230 €"

    at = upload(open_data("de"), ("Umsatz Januar.csv", GERMAN_CSV))
    assert not problems(at), problems(at)
    # detected: cp1252, ';', transactions, and the German headers mapped
    selected = {s.key.split("_", 3)[-1]: s.value for s in at.selectbox if s.key and s.key.startswith("imp_")}
    assert selected["encoding"] == "cp1252" and selected["delimiter"] == ";" and selected["table"] == "transactions"
    assert (selected["map_transactions_customer_id"], selected["map_transactions_order_date"],
            selected["map_transactions_revenue"]) == ("Kundennummer", "Belegdatum", "Umsatz (€)")
    assert selected["map_transactions_quantity"] == ""  # not in the file: stays empty
    assert de("data.kept_out", columns="„Bemerkung“") in [i.value for i in at.info]

    # the validation report: 5 rows read, 4 valid, 1 rejected (row 6 of the file, header = row 1)
    assert metrics(at) == {"Zeilen gelesen": "5", "Gültige Zeilen": "4", "Ungültige Zeilen": "1"}
    rejects = frame_with(at, "Grund")
    assert rejects.to_dict(orient="records") == [{
        "Zeile": "6", "Spalte in der Datei": "Belegdatum", "Spalte der Tabelle": "Kaufdatum", "Wert": "31.02.2026",
        "Grund": "kein gültiges Datum im Format TT.MM.JJJJ"}]
    preview = frame_with(at, "Umsatz (netto)")
    assert list(preview["Umsatz (netto)"]) == ["1.234,50", "15,50", "99,00", "50,00"]  # stored 1234.5, 15.5, ...
    assert list(preview["Kaufdatum"]) == ["05.01.2026", "05.01.2026", "07.01.2026", "10.02.2026"]
    assert list(preview.columns) == ["Kundennummer", "Kaufdatum", "Umsatz (netto)", "Belegnummer", "Warengruppe"]

    # nothing happens before the user decides what to do with the invalid row
    assert button(at, "_import").disabled
    radio(at, "_policy").set_value("accept_valid").run()
    assert radio(at, "_mode").value == "replace"
    assert button(at, "_import").label == "4 Zeilen in „Transaktionen“ importieren"
    button(at, "_import").click().run()
    assert not problems(at), problems(at)
    assert [s.value for s in at.success] == [de(
        "data.commit.imported", name="Umsatz Januar.csv", written="4", table="Transaktionen", mode="ersetzt",
        read="5", rejected="1", duplicates="0", total="4")]
    assert not list(data_import.upload_root().iterdir())  # the temporary copy is gone

    ws = Workspace(app_env)
    files = [str(f) for f in ws.snapshot().files("transactions")]
    assert duckdb.connect().execute("select count(*), sum(revenue) from read_parquet($f)", {"f": files}).fetchall() == [(4, 1399.0)]
    entry = ws.changes()[0]
    assert (entry["action"], entry["source"], entry["user"]) == ("replace", "Umsatz Januar.csv", "local")
    assert (entry["rows_read"], entry["rows_accepted"], entry["rows_rejected"]) == (5, 4, 1)
    log = frame_with(at, "Aktion")  # the change log on the page
    assert log.iloc[0]["Aktion"] == "ersetzt" and log.iloc[0]["Datei"] == "Umsatz Januar.csv"
    assert (log.iloc[0]["Gültig"], log.iloc[0]["Ungültig"]) == ("4", "1")

    # the cached cockpit queries see the new version (hand calculation in the module docstring)
    cockpit.run()
    assert metrics(cockpit) == {"Aktive Kunden": "2", "Bestellungen": "3", "Umsatz": "1.399 €",
                                "Ø Bestellwert": "466,33 €", "Wiederkaufrate": "50,0 %",
                                "Bestellungen je Kunde": "1,50"}


def test_append_skips_rows_already_stored_and_import_nothing_is_logged(app_env):
    at = upload(open_data("en"), ("umsatz.csv", GERMAN_CSV))
    radio(at, "_policy").set_value("accept_valid").run()
    button(at, "_import").click().run()
    before = tree_hash(app_env)

    # the same export again, "import nothing": refused, the reason shown, only the change log grows
    at.file_uploader(key="data_upload").set_value(None).run()
    upload(at, ("umsatz-again.csv", GERMAN_CSV))
    radio(at, "_policy").set_value("all_or_nothing").run()
    button(at, "_import").click().run()
    assert [e.value for e in at.error] == [en(
        "data.commit.refused", name="umsatz-again.csv", rejected="1", read="5", rows="6", accepted="4")]
    after = tree_hash(app_env)
    assert {k: v for k, v in after.items() if k != "changes.jsonl"} == {
        k: v for k, v in before.items() if k != "changes.jsonl"}
    assert Workspace(app_env).changes()[0]["action"] == "import_rejected"

    # then append the valid rows: all 4 are stored already
    radio(at, "_policy").set_value("accept_valid").run()
    radio(at, "_mode").set_value("append").run()
    button(at, "_import").click().run()
    assert [s.value for s in at.success][-1] == en(
        "data.commit.imported", name="umsatz-again.csv", written="0", table="Transactions", mode="appended",
        read="5", rejected="1", duplicates="4", total="4")


def test_ambiguous_dates_are_asked_not_guessed(app_env):
    at = upload(open_data("de"), ("orders.csv", AMBIGUOUS_CSV))
    choice = next(s for s in at.selectbox if s.key.endswith("_fmt_date_order_date"))
    assert choice.value is None and not at.metric  # not checked, no import before the choice
    assert not [b for b in at.button if b.key and b.key.endswith("_import")]
    assert choice.options == ["TT/MM/JJJJ: 01/02/2026 ist der 1. Februar 2026",
                              "MM/TT/JJJJ: 01/02/2026 ist der 2. Januar 2026"]
    choice.set_value("%m/%d/%Y").run()
    assert not problems(at), problems(at)
    assert metrics(at)["Gültige Zeilen"] == "2"
    assert list(frame_with(at, "Kaufdatum")["Kaufdatum"]) == ["02.01.2026", "04.03.2026"]
    assert next(s for s in at.selectbox if s.key.endswith("_fmt_date_order_date")).value == "%m/%d/%Y"


BROKEN_FILES = {
    "binary": ("kassenbon.csv", bytes(range(256)) * 8, "data.error.binary"),
    "empty": ("leer.csv", b"", "data.error.empty_file"),
    "header_only": ("nur-kopf.csv", b"Kundennummer;Belegdatum;Umsatz\n", "data.error.no_rows"),
    "not_parquet": ("export.parquet", b"Kundennummer;Umsatz\nK1;1\n", "data.error.unreadable"),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_a_broken_file_shows_one_sentence_and_changes_nothing(app_env, case):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS)
    before = tree_hash(app_env)
    name, content, key = BROKEN_FILES[case]
    at = upload(open_data("de"), (name, content))
    assert [e.value for e in at.error] == [de(key, name=name)]
    assert not at.exception and not at.metric
    assert not [b for b in at.button if b.key and b.key.endswith("_import")]
    assert tree_hash(app_env) == before  # byte-identical workspace, change log included


def test_a_missing_required_column_is_named_and_can_be_mapped(app_env):
    content = b"Kunde;Datum;Preis\nK1;05.01.2026;10,00\n"
    at = upload(open_data("de"), ("x.csv", content))
    # without a revenue header the file looks like contacts (Kunde, Datum); the user says what it is
    table = next(s for s in at.selectbox if s.key.endswith("_table"))
    assert table.value == "contacts"
    table.set_value("transactions").run()
    # one sentence naming the missing column and the headers found; nothing checked yet
    assert [w.value for w in at.warning] == [de(
        "data.error.missing_column", columns="„Umsatz (netto)“", table="Transaktionen",
        headers="„Kunde“, „Datum“, „Preis“")]
    assert not at.metric
    next(s for s in at.selectbox if s.key.endswith("_map_transactions_revenue")).set_value("Preis").run()
    assert not at.warning and metrics(at)["Gültige Zeilen"] == "1"
    assert list(frame_with(at, "Umsatz (netto)")["Umsatz (netto)"]) == ["10,00"]


def test_excel_and_parquet_uploads(app_env):
    import datetime as dt
    import io

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = openpyxl.Workbook()
    workbook.active.title = "Hinweise"
    workbook.active.append(["Export vom 01.03.2026"])  # a header, but no data rows on the first sheet
    sheet = workbook.create_sheet("Umsätze")
    sheet.append(["Kundennummer", "Datum", "Umsatz"])
    sheet.append([1001, dt.date(2026, 1, 5), 12.5])  # typed cells: no format to detect
    sheet.append([1002, dt.date(2026, 1, 6), 7])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    parquet = io.BytesIO()
    pq.write_table(pa.table({"customer_id": ["A"], "response_date": [dt.date(2026, 1, 1)], "nps": [9]}), parquet)

    at = upload(open_data("de"), ("export.xlsx", xlsx.getvalue()), ("umfrage.parquet", parquet.getvalue()))
    assert [e.value for e in at.error] == [de("data.error.no_rows", name="export.xlsx")]
    sheet_choice = next(s for s in at.selectbox if s.key.endswith("_sheet"))
    assert sheet_choice.options == ["Hinweise", "Umsätze"]
    sheet_choice.set_value("Umsätze").run()
    assert not problems(at), problems(at)
    assert "Gelesen als Excel-Arbeitsmappe, Blatt „Umsätze“." in " ".join(c.value for c in at.caption)
    assert "Zahl (typisierte Zellen der Datei)" in " ".join(c.value for c in at.caption)
    assert [m.value for m in at.metric] == ["2", "2", "0", "1", "1", "0"]  # the workbook, then the survey file
    assert list(frame_with(at, "Kundennummer")["Kundennummer"]) == ["1001", "1002"]  # not 1001.0
    assert next(s for s in at.selectbox if s.key.endswith("_table") and s.value == "surveys")


# ------------------------------------------------------------------ roles
def users(app_env) -> UserStore:
    store = UserStore(Path(os.environ[USERS_FILE_ENV]))
    for name, role in (("anna", "admin"), ("alex", "analyst"), ("vera", "viewer")):
        store.add(name, role, f"{name}-{PASSWORD}")
    return store


def test_a_viewer_sees_contents_and_log_but_cannot_import(app_env):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS)
    at = open_data("en", (users(app_env), "vera"))
    assert not problems(at), problems(at)
    assert not at.file_uploader
    assert [tab.label for tab in at.tabs] == ["Contents", "Change log"]
    assert at.info[0].value == en("data.viewer_note", role="Viewer")
    assert len(at.dataframe) == 2  # overview and change log
    assert en("data.overview.admin_only") in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "data_delete_button"]


def test_an_analyst_imports_but_does_not_delete(app_env):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS)
    at = open_data("en", (users(app_env), "alex"))
    assert at.file_uploader and not [b for b in at.button if b.key == "data_delete_button"]


def commit_probe() -> None:
    """Reaches the import without the page (as a forged request would) and with a checked file."""
    import os
    from pathlib import Path

    import streamlit as st

    from components.context import PageContext
    from components.data_import import FileImport, _commit
    from loyalty.importing import prepare_import
    from loyalty.store import Workspace

    if st.session_state.get("probe_done"):  # _commit reruns the script after an import
        st.success("imported")
        return
    st.session_state["probe_done"] = True
    path = Path(os.environ["PROBE_FILE"])
    item = FileImport("probe", path.name, path.stat().st_size, path=path)
    item.prepared = prepare_import(path, name=path.name)
    ctx = PageContext("en", None, Workspace(os.environ["LOYALTY_WORKSPACE"]).snapshot())
    _commit(ctx, item, "replace", "accept_valid")


def test_the_server_refuses_an_import_by_a_viewer(app_env, tmp_path, monkeypatch):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS)
    store = users(app_env)
    probe_file = tmp_path / "probe.csv"
    probe_file.write_bytes(GERMAN_CSV)
    monkeypatch.setenv("PROBE_FILE", str(probe_file))
    before = tree_hash(app_env)
    for name, imported in (("vera", False), ("alex", True)):
        at = AppTest.from_function(commit_probe, default_timeout=60)
        at.query_params["lang"] = "en"
        at.session_state["_auth_session"] = {"name": name, "stamp": store.credential_stamp(name)}
        at.run()
        assert not at.exception, at.exception
        if imported:
            assert [s.value for s in at.success] == ["imported"]
        else:
            assert at.error[0].value.startswith("Your role “Viewer” may not do this: import data.")
            assert not at.success
            assert tree_hash(app_env) == before  # refused on the server: nothing written, nothing logged
    entry = Workspace(app_env).changes()[0]
    assert (entry["user"], entry["source"], entry["rows_accepted"]) == ("alex", "probe.csv", 4)


# ------------------------------------------------------------------ admin: delete and restore
def test_admin_deletes_a_table_after_confirming(app_env):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    at = open_data("de")
    at.selectbox(key="data_delete_table").set_value("customers").run()
    assert at.button(key="data_delete_button").disabled  # not without the confirmation
    confirm = next(c for c in at.checkbox if c.key.startswith("data_delete_confirm_customers"))
    assert confirm.label == de("data.overview.delete_confirm", table="Kunden", rows="4")
    confirm.check().run()
    at.button(key="data_delete_button").click().run()
    assert not problems(at), problems(at)
    assert de("data.overview.deleted", table="Kunden") in [s.value for s in at.success]
    assert set(Workspace(app_env).snapshot().tables) == {"transactions"}
    assert frame_with(at, "Aktion").iloc[0]["Aktion"] == "gelöscht"


def test_admin_restores_the_demo_data(app_env):
    make_workspace(app_env, transactions=FIXTURE_TRANSACTIONS)
    at = open_data("en")
    next(c for c in at.checkbox if c.key.startswith("data_restore_confirm")).check().run()
    at.button(key="data_restore_button").click().run()
    assert not problems(at), problems(at)
    assert en("data.overview.restored") in [s.value for s in at.success]
    snapshot = Workspace(app_env).snapshot()
    assert snapshot.demo and snapshot.tables["transactions"].source == "demo"
    assert snapshot.tables["customers"].rows == 150  # LOYALTY_DEMO_CUSTOMERS of the fixture
    assert set(frame_with(at, "Origin")["Origin"]) == {"demo data"}


# ------------------------------------------------------------------ helpers (no Streamlit)
def test_uploads_are_stored_under_a_fixed_name(tmp_path):
    for name in ("../../etc/passwd.csv", "..\\..\\boot.ini.csv", "Umsatz (Januar).CSV", "no-extension", "x.c$v"):
        path = store_upload(_bytes(b"a;b\n1;2\n"), name, root=tmp_path)
        assert path.parent.parent == tmp_path and path.parent.name.startswith("upload-")
        assert path.name in ("upload.csv", "upload") and path.read_bytes() == b"a;b\n1;2\n"
    assert safe_suffix("../../evil.CSV") == ".csv" and safe_suffix("a.c$v") == ""


def test_names_and_headers_from_files_cannot_format_the_page():
    assert md("Umsatz_*Q1* [x](http://y) $a$ <b>.csv") == r"Umsatz\_\*Q1\* \[x\](http://y) \$a\$ \<b\>.csv"
    assert md("Umsatz Januar 2026.csv") == "Umsatz Januar 2026.csv"


def test_stale_upload_folders_are_swept(tmp_path):
    old = store_upload(_bytes(b"x"), "a.csv", root=tmp_path)
    new = store_upload(_bytes(b"y"), "b.csv", root=tmp_path)
    os.utime(old.parent, (time.time() - 2 * 86400,) * 2)
    (tmp_path / "not-ours").mkdir()
    assert sweep_stale_uploads(tmp_path) == 1
    assert not old.exists() and new.exists() and (tmp_path / "not-ours").exists()


def test_the_upload_copy_is_deleted_with_the_wizard_state(tmp_path, monkeypatch):
    monkeypatch.setattr(data_import, "upload_root", lambda: tmp_path)
    first, second = (store_upload(_bytes(b"x"), "a.csv") for _ in range(2))
    item = data_import.FileImport("id", "a.csv", 1)
    item.attach(first)
    item.close()  # after the import
    assert not first.parent.exists()
    item = data_import.FileImport("id2", "b.csv", 1)
    item.attach(second)
    del item  # the session ended: its state is garbage collected
    gc.collect()
    assert not second.parent.exists() and not list(tmp_path.iterdir())


def _bytes(content: bytes):
    import io

    return io.BytesIO(content)


def test_reasons_are_translated_by_code():
    spec = get_table("surveys")
    t = lambda key, **v: de(key, **v)  # noqa: E731
    date_fmt = data_import.ColumnFormat("response_date", "Datum", "date", date_format="%d.%m.%Y")
    cases = [
        ({"reason_code": "empty_required", "field": "response_date"}, "Pflichtwert fehlt"),
        ({"reason_code": "empty_required", "field": "nps, csat"}, "mindestens einer der Werte nps, csat muss gefüllt sein"),
        ({"reason_code": "invalid_number", "field": "nps", "reason": "not a whole number (7,5)"}, "keine ganze Zahl"),
        ({"reason_code": "invalid_number", "field": "nps", "reason": "not a number (abc)"}, "keine Zahl"),
        ({"reason_code": "invalid_date", "field": "response_date", "reason": "not a valid date (31.02.2026)"},
         "kein gültiges Datum im Format TT.MM.JJJJ"),
        ({"reason_code": "invalid_date", "field": "response_date",
          "reason": "date outside the years 1900-2100 (0026-01-31)"}, "Datum außerhalb der Jahre 1900–2100"),
        ({"reason_code": "out_of_range", "field": "nps"}, "muss zwischen 0 und 10 liegen"),
        ({"reason_code": "out_of_range", "field": "csat"}, "muss zwischen 1 und 5 liegen"),
        ({"reason_code": "malformed_row", "field": "", "reason": "row has 5 fields instead of 4"},
         "Zeile hat 5 statt 4 Felder"),
        ({"reason_code": "invalid_encoding", "field": ""}, de("data.reason.invalid_encoding")),
        ({"reason_code": "something_new", "field": "", "reason": "a new English reason"}, "a new English reason"),
    ]
    for entry, expected in cases:
        assert reason_text(t, entry, spec, {"response_date": date_fmt}) == expected, entry
    measures = get_table("measure_participants")
    assert reason_text(t, {"reason_code": "not_allowed", "field": "group"}, measures, {}) == \
        "kein erlaubter Wert (erlaubt: treatment, control)"
    contacts = get_table("contacts")
    assert reason_text(t, {"reason_code": "out_of_range", "field": "compensation_cost"}, contacts, {}) == \
        "darf nicht negativ sein"


def test_choice_texts_say_what_the_example_would_mean():
    t = lambda key, **v: en(key, **v)  # noqa: E731
    date_choice = {"kind": "date", "examples": ["01/02/2026 14:30"]}
    assert choice_option_text(t, "en", date_choice, "%d/%m/%Y") == "dd/mm/yyyy: 01/02/2026 14:30 is 1 February 2026"
    decimal_choice = {"kind": "decimal", "examples": ["1.234"]}
    assert choice_option_text(t, "en", decimal_choice, ",") == "comma: 1.234 = 1234"
    assert choice_option_text(lambda k, **v: de(k, **v), "de", decimal_choice, ".") == "Punkt: 1.234 = 1,234"
    assert date_pattern(lambda k, **v: de(k, **v), "%Y-%m-%d") == "JJJJ-MM-TT"


def test_file_errors_name_the_problem_in_german(tmp_path):
    t = lambda key, **v: de(key, **v)  # noqa: E731
    assert file_error_text(t, "de", ImportFileError("x", code="unsupported_type"), "alt.xls") == de(
        "data.error.xls", name="alt.xls")
    assert file_error_text(t, "de", ImportFileError("x", code="unsupported_type"), "bild.png") == de(
        "data.error.unsupported_type", ext=".png")
    path = tmp_path / "pipe.csv"
    path.write_text("Kundennummer:Datum:Umsatz\nK1:05.01.2026:10\nK2:06.01.2026:20\n", encoding="utf-8")
    insp = inspect_file(path)
    problem = next(e for e in insp.blocking if e.code == "one_column")
    assert file_error_text(t, "de", problem, "pipe.csv", insp) == de(
        "data.error.one_column_other", found="Kundennummer:Datum:Umsatz", delimiter="Doppelpunkt (:)")
    unknown = ImportFileError("x", code="unknown_table", headers=["a", "b"])
    assert file_error_text(t, "de", unknown, "f.csv") == de("data.error.unknown_table", headers="„a“, „b“")


def test_overview_and_change_log_frames(tmp_path):
    ws = make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS)
    ws.delete("transactions", user="anna")
    ws.log_event(action="import_rejected", table="surveys", source="umfrage.csv", user="alex", rows_read=3,
                 rows_accepted=2, rows_rejected=1)
    t = lambda key, **v: de(key, **v)  # noqa: E731
    overview = overview_frame(ws.snapshot(), t)
    assert len(overview) == 8 and overview["rows"].sum() == 0
    assert set(overview["kind"]) == {"nicht vorhanden"}
    ws2 = make_workspace(tmp_path / "ws2", transactions=FIXTURE_TRANSACTIONS)
    row = overview_frame(ws2.snapshot(), t).iloc[0]
    # the fixture's first and last order dates (tests/conftest.py): 2025-12-31 .. 2026-03-01, 8 rows
    assert (row["table"], row["rows"], str(row["first_date"]), str(row["last_date"]), row["source"], row["kind"]) == (
        "Transaktionen", 8, "2025-12-31", "2026-03-01", "test fixture", "eigene Daten")
    log = changes_frame(ws.changes(), t)
    assert list(log["action"]) == ["Import abgelehnt", "gelöscht", "ersetzt"]
    assert list(log["user"]) == ["alex", "anna", "local"]
    assert log.iloc[0][["table", "file", "rows_read", "rows_accepted", "rows_rejected"]].tolist() == [
        "Befragungen", "umfrage.csv", 3, 2, 1]
    assert pd.isna(log.iloc[1]["rows_read"]) and log.iloc[2]["rows_written"] == 8
    assert json.dumps(log.astype(str).to_dict())  # plain values, downloadable


def test_tables_show_numbers_and_dates_the_language_way_and_empty_cells_as_a_dash():
    frame = pd.DataFrame({"n": pd.array([1234, None], dtype="Int64"), "x": [1234.5, float("nan")],
                          "d": [pd.Timestamp("2026-01-31").date(), None], "b": pd.array([True, None], dtype="boolean"),
                          "s": ["a", None]})
    kinds = {"n": "count", "x": "number", "d": "date", "b": "bool"}
    assert display_frame(frame, kinds, "de").to_dict(orient="list") == {
        "n": ["1.234", "–"], "x": ["1.234,50", "–"], "d": ["31.01.2026", "–"], "b": ["ja", "–"], "s": ["a", "–"]}
    assert display_frame(frame, kinds, "en").iloc[0].tolist() == ["1,234", "1,234.50", "2026-01-31", "yes", "a"]


def test_a_file_over_the_upload_limit_is_refused_with_one_sentence(app_env, monkeypatch):
    monkeypatch.setattr(data_component, "SETTINGS", Settings.from_env(max_upload_mb=1))
    big = GERMAN_CSV + b"K9;01.03.2026;1,00;B9;Garten;\r\n" * 40_000  # 250 + 40,000 x 31 bytes = 1.18 MiB
    at = upload(open_data("en"), ("big.csv", big))
    assert [e.value for e in at.error] == [en("data.too_large", name="big.csv", size="1.2 MB", mb=1)]
    assert not at.metric and not list(data_import.upload_root().iterdir())  # not even copied
