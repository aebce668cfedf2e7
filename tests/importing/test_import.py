"""End-to-end imports of analysts' exports: what is accepted, what is rejected with which row numbers
(header = row 1), and that nothing in the workspace changes when nothing is imported."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loyalty.importing import (
    FormatChoiceNeeded,
    ImportFileError,
    ImportOptions,
    default_rejects_dir,
    import_file,
    inspect_file,
    prepare_import,
)
from loyalty.store import Workspace
from tests.conftest import FIXTURE_TRANSACTIONS, make_workspace


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file below root (the workspace must stay byte-identical when nothing is imported)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def stored(ws: Workspace, table: str, order: str = "1"):
    files = [str(f) for f in ws.snapshot().files(table)]
    return duckdb.connect().execute(f"select * from read_parquet({files}) order by {order}").df()


@pytest.fixture()
def ws(tmp_path) -> Workspace:
    """A workspace that already holds data, so 'unchanged' means something."""
    return make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS)


def write_csv(path: Path, lines: list[str], encoding="utf-8", newline="\r\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


GERMAN_ROWS = [
    "Kundennummer;Belegdatum;Beleg-Nr.;Warengruppe;Filiale;Menge;Umsatz (€);Bemerkung",
    "1001;31.01.2026;B-100;Garten;Nürnberg;2;1.234,56 €;",
    "1002;01.02.2026;B-101;Grill;Fürth;1;-12,50 €;\"Rückgabe; defekt\"",
    "1003;15.02.2026;B-102;Dünger;Nürnberg;3;99,90 €;",
    "1001;28.02.2026;B-103;Garten;Erlangen;1;2.000,00 €;Großauftrag",
    "1004;01.03.2026;B-104;Deko;Fürth;10;0,99 €;",
]


def german_erp(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "erp_export.csv", GERMAN_ROWS, encoding="cp1252")


# ---------------------------------------------------------------- files that import cleanly
def test_german_erp_export_cp1252(tmp_path, ws):
    path = german_erp(tmp_path)
    assert b"\x80" in path.read_bytes()  # the euro sign as cp1252 byte
    result = import_file(ws, path, ImportOptions(table="transactions"))
    assert result.imported and (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 5, 0)
    assert (result.file.encoding, result.file.delimiter) == ("cp1252", ";")
    assert result.formats["revenue"].decimal == "," and result.formats["revenue"].thousands
    assert result.formats["order_date"].date_format == "%d.%m.%Y"
    assert result.kept_out == ["Bemerkung"]
    df = stored(ws, "transactions", "order_date")
    assert list(df["revenue"]) == [1234.56, -12.5, 99.9, 2000.0, 0.99]
    assert round(df["revenue"].sum(), 2) == 3322.95  # 1234.56 - 12.50 + 99.90 + 2000.00 + 0.99
    assert list(df["quantity"]) == [2, 1, 3, 1, 10]
    assert list(df["store"]) == ["Nürnberg", "Fürth", "Nürnberg", "Erlangen", "Fürth"]
    assert df["order_date"].dt.date.tolist() == [dt.date(2026, 1, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 15),
                                                 dt.date(2026, 2, 28), dt.date(2026, 3, 1)]
    assert list(df["customer_id"]) == ["1001", "1002", "1003", "1001", "1004"]
    entry = ws.changes(limit=1)[0]
    assert entry["action"] == "replace" and entry["source"] == "erp_export.csv"
    assert (entry["rows_read"], entry["rows_accepted"], entry["rows_rejected"]) == (5, 5, 0)


def test_english_shop_export_utf8_bom(tmp_path, ws):
    path = tmp_path / "shop.csv"
    path.write_text("\ufeffCustomer ID,Order Date,Order Number,Amount,Qty,Sales Channel\n"
                    'C-1,2026-01-31,O-1,"1,234.56",2,online\n'
                    "C-2,2026-02-01T10:15:00,O-2,99.90,1,store\n"
                    'C-3,2026-02-02,O-3,-5.00,1,"online, app"\n'
                    "C-1,2026-02-03,O-4,12,1,online\n", encoding="utf-8")
    result = import_file(ws, path)
    assert result.table == "transactions" and result.table_suggested
    assert result.imported and result.rows_accepted == 4
    assert (result.file.encoding, result.file.delimiter) == ("utf-8-sig", ",")
    assert result.formats["revenue"].decimal == "." and result.formats["order_date"].date_format == "%Y-%m-%d"
    df = stored(ws, "transactions", "order_id")
    assert list(df["revenue"]) == [1234.56, 99.9, -5.0, 12.0] and round(df["revenue"].sum(), 2) == 1341.46
    assert list(df["customer_id"]) == ["C-1", "C-2", "C-3", "C-1"]  # no BOM left in the first value/header
    assert df["channel"].iloc[2] == "online, app"


def test_excel_file(tmp_path, ws):
    path = tmp_path / "umsatz.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Umsätze"
    sheet.append(["Kundennummer", "Datum", "Umsatz (€)", "Menge", "Warengruppe"])
    sheet.append([1001, dt.date(2026, 1, 31), 1234.56, 2, "Garten"])  # row 2
    sheet.append([1002, dt.datetime(2026, 2, 1, 14, 35), 1.234, 1, "Grill"])  # row 3: 1.234 is a typed number
    sheet.append([])  # row 4: empty, skipped
    sheet.append([1003, dt.date(2026, 2, 2), "kostenlos", 1, "Deko"])  # row 5: text in a number
    sheet.append(["K-4", dt.date(2026, 2, 3), 10, 1.0, None])  # row 6
    wb.save(path)
    insp = inspect_file(path)
    assert insp.file.kind == "xlsx" and insp.file.sheet == "Umsätze" and insp.table == "transactions"
    assert insp.formats["quantity"].decided_by == "file"  # typed numbers only: nothing to guess
    assert insp.formats["revenue"].decimal == "."  # typed numbers and a text cell: the numbers decide
    result = import_file(ws, path, policy="accept_valid")
    assert (result.rows_read, result.rows_accepted, result.rows_rejected, result.rows_empty) == (4, 3, 1, 0)
    assert result.rejects[["row", "column", "reason_code"]].values.tolist() == [[5, "Umsatz (€)", "invalid_number"]]
    df = stored(ws, "transactions", "order_date")
    assert list(df["customer_id"]) == ["1001", "1002", "K-4"]  # whole numbers without '.0'
    assert list(df["revenue"]) == [1234.56, 1.234, 10.0]
    assert list(df["quantity"]) == [2, 1, 1]


def test_parquet_file(tmp_path, ws):
    path = tmp_path / "export.parquet"
    pq.write_table(pa.table({
        "customer_id": pa.array([1001.0, 1002.0, None]),
        "order_date": pa.array([dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)]),
        "Umsatz": pa.array([10.5, 1e-7, 123456789.125]),
        "Menge": pa.array([1, 2, 3], pa.int32()),
        "erfasst": pa.array([dt.datetime(2026, 1, 1, 10)] * 3),
    }), path)
    result = import_file(ws, path, policy="accept_valid")
    assert result.file.kind == "parquet" and result.kept_out == ["erfasst"]
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert result.rejects[["row", "field", "reason_code"]].values.tolist() == [[4, "customer_id", "empty_required"]]
    df = stored(ws, "transactions", "order_date")
    assert list(df["customer_id"]) == ["1001", "1002"] and list(df["revenue"]) == [10.5, 1e-7]


# ---------------------------------------------------------------- rows that are rejected
BROKEN_ROWS = [
    "Kundennummer;Belegdatum;Umsatz",  # row 1
    "1001;31.01.2026;10,00",  # 2 ok
    "1002;31.02.2026;20,00",  # 3 impossible date
    "1003;01.02.2026;zwanzig",  # 4 text in a number
    ";01.02.2026;5,00",  # 5 empty required value
    "1005;;",  # 6 two empty required values
    "1006;02.02.2026;30,00",  # 7 ok
]


def test_broken_rows_all_or_nothing_changes_nothing(tmp_path, ws):
    path = write_csv(tmp_path / "broken.csv", BROKEN_ROWS)
    before = tree_hashes(ws.root)
    changes_before = (ws.root / "changes.jsonl").read_bytes()
    result = import_file(ws, path)
    assert result.status == "rejected" and not result.imported
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (6, 2, 4)
    assert result.rejected_rows == [3, 4, 5, 6]
    rejects = result.rejects[["row", "column", "reason_code", "reason"]].values.tolist()
    assert rejects == [
        [3, "Belegdatum", "invalid_date", "not a valid date (31.02.2026)"],
        [4, "Umsatz", "invalid_number", "not a number (zwanzig)"],
        [5, "Kundennummer", "empty_required", "required value is empty"],
        [6, "Belegdatum", "empty_required", "required value is empty"],
        [6, "Umsatz", "empty_required", "required value is empty"],
    ]
    assert "nothing was imported" in result.message and "3, 4, 5, 6" in result.message
    after = tree_hashes(ws.root)
    # the data is byte-identical; the change log only gained the 'import_rejected' entry
    assert {k: v for k, v in after.items() if k != "changes.jsonl"} == \
           {k: v for k, v in before.items() if k != "changes.jsonl"}
    log = (ws.root / "changes.jsonl").read_bytes()
    assert log.startswith(changes_before)
    entry = json.loads(log[len(changes_before):])
    assert entry["action"] == "import_rejected" and entry["rows_rejected"] == 4 and entry["rows_read"] == 6


def test_broken_rows_accept_valid_writes_rejects_file(tmp_path, ws):
    path = write_csv(tmp_path / "broken.csv", BROKEN_ROWS)
    result = import_file(ws, path, ImportOptions(table="transactions"), mode="replace", policy="accept_valid",
                         rejects_dir=default_rejects_dir(ws))
    assert result.imported and (result.rows_written, result.rows_rejected) == (2, 4)
    assert list(stored(ws, "transactions", "customer_id")["customer_id"]) == ["1001", "1006"]
    assert result.rejects_path.parent == ws.root.parent / "ws-rejects"  # beside the workspace, not inside
    raw = result.rejects_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrow,column,field,value,reason_code,reason")
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 6 and lines[1] == "3,Belegdatum,order_date,31.02.2026,invalid_date,not a valid date (31.02.2026)"
    assert "see " in result.summary() and "4 rejected" in result.summary()
    assert ws.changes(limit=1)[0]["rejects_file"] == str(result.rejects_path)


def test_row_numbers_with_multiline_values_empty_lines_and_malformed_rows(tmp_path, ws):
    path = write_csv(tmp_path / "mixed.csv", [
        "Kundennummer;Belegdatum;Umsatz;Bemerkung",  # 1
        '1001;31.01.2026;1,00;"zwei\r\nZeilen"',  # 2 (one row, two lines)
        "",  # 3 empty line
        "1002;32.01.2026;2,00;",  # 4 bad date
        "1003;01.02.2026;3,00;x;zu viel",  # 5 too many fields
        "1004;01.02.2026",  # 6 too few fields
        '1005;01.02.2026;4,00;"leer\r\n\r\nzeile"',  # 7 (an empty line inside quotes is part of the value)
        "1006;01.02.2026;abc;",  # 8 bad number
        ";;;",  # 9 empty row
        "1007;02.02.2026;5,00;",  # 10 ok
    ])
    with prepare_import(path) as prepared:
        r = prepared.result
        got = r.rejects[["row", "reason_code"]].values.tolist()
        assert got == [[4, "invalid_date"], [5, "malformed_row"], [6, "malformed_row"], [8, "invalid_number"]]
        assert (r.rows_read, r.rows_accepted, r.rows_rejected, r.rows_empty) == (7, 3, 4, 2)
        assert "row has 5 fields instead of 4" in r.rejects["reason"].tolist()
        assert list(r.preview["customer_id"]) == ["1001", "1005", "1007"]


@pytest.mark.parametrize("name,content,code,words", [
    ("missing.csv", "Kundennummer;Belegdatum\n1;01.01.2026\n", "missing_column", ["'revenue'", "'Kundennummer'"]),
    ("empty.csv", "", "empty_file", ["empty"]),
    ("header_only.csv", "Kundennummer;Belegdatum;Umsatz\n", "no_rows", ["no data rows"]),
    ("junk.csv", bytes(range(256)) * 64, "binary", ["binary"]),
    ("colons.csv", "Kundennummer:Belegdatum:Umsatz\n1:01.01.2026:5\n", "one_column", ["':'", "one column"]),
    ("data.json", '{"a": 1}', "unsupported_type", [".json"]),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "unsupported_type", [".xls"]),
    ("fake.xlsx", "not a workbook", "unreadable", ["Excel"]),
    ("fake.parquet", "not parquet", "unreadable", ["Parquet"]),
])
def test_unreadable_files_raise_and_change_nothing(tmp_path, ws, name, content, code, words):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = tree_hashes(ws.root)
    with pytest.raises(ImportFileError) as info:
        import_file(ws, path, policy="accept_valid", rejects_dir=default_rejects_dir(ws))
    message = str(info.value)
    assert info.value.code == code and isinstance(info.value, ValueError)
    assert all(w in message for w in words), message
    assert message.endswith(".") and "\n" not in message
    assert tree_hashes(ws.root) == before
    assert not default_rejects_dir(ws).exists()


def test_wrong_delimiter_leaves_one_column(tmp_path, ws):
    path = german_erp(tmp_path)
    before = tree_hashes(ws.root)
    with pytest.raises(ImportFileError, match="separated by ';'") as info:
        import_file(ws, path, ImportOptions(delimiter=","))
    assert info.value.code == "one_column"
    assert tree_hashes(ws.root) == before


def test_ambiguous_dates_ask_and_the_choice_is_used(tmp_path, ws):
    path = tmp_path / "us_or_uk.csv"
    path.write_text("Kunde,Datum,Betrag\nA,01/02/2026,5\nB,03/04/2026,6\nC,05/06/2026,7\n", encoding="utf-8")
    insp = inspect_file(path)
    assert not insp.ready and insp.choices[0]["source"] == "Datum"
    assert set(insp.choices[0]["options"]) == {"%d/%m/%Y", "%m/%d/%Y"}
    before = tree_hashes(ws.root)
    with pytest.raises(FormatChoiceNeeded, match="'Datum'.*choose the date format") as info:
        import_file(ws, path)
    assert info.value.choices[0]["target"] == "order_date"
    assert tree_hashes(ws.root) == before
    result = import_file(ws, path, insp.options.with_changes(date_formats={"Datum": "%d/%m/%Y"}))
    assert result.imported and result.formats["order_date"].decided_by == "user"
    assert [d.isoformat() for d in stored(ws, "transactions", "customer_id")["order_date"].dt.date] == [
        "2026-02-01", "2026-04-03", "2026-06-05"]


def test_surveys_nps_range_and_one_of(tmp_path, ws):
    path = write_csv(tmp_path / "umfrage.csv", [
        "Antwortdatum;Kundennummer;Empfehlungsbereitschaft;Zufriedenheit;Kommentar",
        "01.02.2026;1;11;;zu hoch",  # 2: nps 11
        "01.02.2026;2;;4;nur CSAT",  # 3: only csat: fine
        "02.02.2026;;9;;anonym, nur NPS",  # 4: fine
        "02.02.2026;3;;;weder noch",  # 5: neither nps nor csat
        "03.02.2026;4;8;0;",  # 6: csat 0
        "03.02.2026;5;7,5;3;",  # 7: nps not whole
    ], encoding="utf-8")
    result = import_file(ws, path, policy="accept_valid")
    assert result.table == "surveys" and result.imported
    got = result.rejects[["row", "field", "reason_code", "reason"]].values.tolist()
    assert got == [
        [2, "nps", "out_of_range", "nps must be between 0 and 10"],
        [5, "nps, csat", "empty_required", "at least one of nps, csat is required"],
        [6, "csat", "out_of_range", "csat must be between 1 and 5"],
        [7, "nps", "invalid_number", "not a whole number (7,5)"],
    ]
    df = stored(ws, "surveys", "response_date")
    assert df["comment"].tolist() == ["nur CSAT", "anonym, nur NPS"]
    assert df["csat"].tolist()[0] == 4 and df["nps"].isna().tolist() == [True, False]


def test_append_with_overlap_reports_duplicates(tmp_path, ws):
    first = write_csv(tmp_path / "jan.csv", GERMAN_ROWS[:4], encoding="cp1252")
    second = write_csv(tmp_path / "feb.csv", [GERMAN_ROWS[0], *GERMAN_ROWS[2:6]], encoding="cp1252")
    import_file(ws, first)
    result = import_file(ws, second, mode="append")
    assert result.imported and result.rows_read == 4
    assert (result.duplicates_skipped, result.rows_written, result.rows_total) == (2, 2, 5)
    assert "2 duplicates skipped" in result.summary() and "2 imported" in result.summary()


def test_other_tables_and_value_synonyms(tmp_path, ws):
    customers = write_csv(tmp_path / "kunden.csv", [
        "Kundennummer;Kundengruppe;Kundenkarte;Newsletter;Mitglied seit",
        "1;Stammkunde;x;ja;01.01.2020",
        "2;Neukunde;;nein;",
        "3;Neukunde;x;vielleicht;",
    ])
    result = import_file(ws, customers, policy="accept_valid")
    assert result.table == "customers" and result.formats["loyalty_member"].bool_style == "x/empty"
    assert result.rejects[["row", "reason_code"]].values.tolist() == [[4, "invalid_bool"]]
    df = stored(ws, "customers", "customer_id")
    assert df["loyalty_member"].tolist() == [True, False] and df["newsletter_opt_in"].tolist() == [True, False]
    groups = write_csv(tmp_path / "gruppen.csv", ["Maßnahmen-ID;Kundennummer;Gruppe", "M1;1;Test", "M1;2;Kontrolle",
                                                  "M1;3;Testgruppe", "M1;4;irgendwas"])
    result = import_file(ws, groups, policy="accept_valid")
    assert result.table == "measure_participants"
    assert stored(ws, "measure_participants", "customer_id")["group"].tolist() == ["treatment", "control", "treatment"]
    assert result.rejects["reason"].tolist() == ["'irgendwas' is not an allowed group (allowed: treatment, control)"]
    contacts = write_csv(tmp_path / "kontakte.csv", ["Kontaktdatum;Kundennummer;Kulanz", "01.02.2026;1;-5,00"])
    result = import_file(ws, contacts, policy="accept_valid")
    assert result.status == "rejected" and result.rejects["reason"].tolist() == [
        "compensation_cost must not be negative"]


def test_utf8_file_with_windows_bytes_after_the_sample(tmp_path, ws):
    path = tmp_path / "late_euro.csv"
    filler = "".join(f"{i};01.01.2026;1,00;{'x' * 60}\n" for i in range(80_000))  # > 4 MB of plain ASCII
    path.write_bytes(("Kundennummer;Belegdatum;Umsatz;Bemerkung\n" + filler).encode("ascii")
                     + "99;02.01.2026;5,00;Preis in €\n".encode("cp1252"))
    result = import_file(ws, path)
    assert result.imported and result.rows_accepted == 80_001
    assert result.file.encoding == "cp1252" and any("not UTF-8" in n for n in result.notices)


def test_inspect_and_prepare_write_nothing_and_report_progress(tmp_path, ws):
    path = german_erp(tmp_path)
    before = tree_hashes(ws.root)
    insp = inspect_file(path)
    assert insp.ready and insp.table == "transactions" and insp.table_suggested
    assert insp.file.describe() == "CSV, delimiter ';', encoding Windows-1252 (cp1252)"
    assert insp.mapping.matches["revenue"].source == "Umsatz (€)" and insp.kept_out == ["Bemerkung"]
    assert list(insp.sample.columns)[:2] == ["Kundennummer", "Belegdatum"] and len(insp.sample) == 5
    assert json.dumps(insp.as_dict(), default=str)
    seen = []
    with prepare_import(path, insp.options, progress=lambda f, m: seen.append(f)) as prepared:
        assert prepared.result.status == "validated" and len(prepared.result.preview) == 5
        assert str(prepared.result.preview["order_date"].dtype).startswith(("datetime64", "object"))
        assert tree_hashes(ws.root) == before
        result = prepared.commit(ws, progress=lambda f, m: seen.append(f))
    assert result.imported and seen == sorted(seen) and seen[-1] == 1.0
    opts = ImportOptions(mapping={"revenue": "Umsatz (€)"}).with_changes(mapping={"store": None}, table="transactions")
    assert opts.mapping == {"revenue": "Umsatz (€)", "store": None} and opts.table == "transactions"


def test_missing_column_message_for_a_chosen_table(tmp_path, ws):
    path = write_csv(tmp_path / "k.csv", ["Kundennummer;Datum;Filiale", "1;01.01.2026;A"])
    with pytest.raises(ImportFileError) as info:
        import_file(ws, path, ImportOptions(table="transactions"))
    assert str(info.value) == ("The file has no column for 'revenue', which transactions requires; the headers found "
                               "are 'Kundennummer', 'Datum', 'Filiale' - rename the column in the file or map it to "
                               "one of these headers.")
    result = import_file(ws, path, ImportOptions(table="transactions", mapping={"revenue": "Filiale"}),
                         policy="accept_valid")
    assert result.rejects["reason"].tolist() == ["not a number (A)"]


def test_row_numbers_stay_exact_in_a_large_messy_file(tmp_path):
    """Random mix of good rows, bad values, malformed rows, empty lines and multi-line values: every
    rejected row carries the number a spreadsheet shows (header = 1, a quoted line break stays in its row)."""
    import random

    rng = random.Random(7)
    lines = ["Kundennummer;Belegdatum;Umsatz;Bemerkung"]
    expected: dict[int, str] = {}
    for row in range(2, 6002):
        kind = rng.choices(["ok", "date", "number", "extra", "short", "blank", "multi", "empty"],
                           weights=[70, 4, 4, 3, 3, 4, 8, 4])[0]
        if kind == "ok":
            lines.append(f"{row};01.02.2026;{row},50;")
        elif kind == "date":
            lines.append(f"{row};30.02.2026;1,00;")
            expected[row] = "invalid_date"
        elif kind == "number":
            lines.append(f"{row};01.02.2026;{row}x;")
            expected[row] = "invalid_number"
        elif kind == "extra":
            lines.append(f"{row};01.02.2026;1,00;a;b")
            expected[row] = "malformed_row"
        elif kind == "short":
            lines.append(f"{row};01.02.2026")
            expected[row] = "malformed_row"
        elif kind == "blank":
            lines.append("")
        elif kind == "multi":
            lines.append(f'{row};01.02.2026;1,00;"erste Zeile\r\n\r\ndritte ""Zeile"""')
        else:
            lines.append(";;;")
    lines.append("9999;01.02.2026;1,00;")  # the file ends with a good row
    path = write_csv(tmp_path / "messy.csv", lines)
    with prepare_import(path, ImportOptions(table="transactions")) as prepared:
        got = dict(prepared.result.rejects[["row", "reason_code"]].itertuples(index=False, name=None))
        total = prepared.result.rows_rejected
    assert len(expected) > 500 and total == len(expected)
    assert got == expected


def test_other_encodings_and_damaged_bytes(tmp_path):
    utf16 = tmp_path / "u16.txt"
    utf16.write_text("Kundennummer\tDatum\tUmsatz\n1\t31.01.2026\t1.234,50 €\n2\t01.02.2026\tx\n", encoding="utf-16")
    with prepare_import(utf16) as prepared:
        r = prepared.result
        assert (r.file.encoding, r.file.delimiter) == ("utf-16", "\t")
        assert r.preview["revenue"].tolist() == [1234.5] and r.rejected_rows == [3]
    # a UTF-8 file with one row in Windows encoding: that row is rejected, the umlauts elsewhere stay intact
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("Kundennummer;Datum;Umsatz;Filiale\n1;31.01.2026;5;Fürth\n\n".encode()
                      + b"2;31.01.2026;6;F\xfcrth\n3;01.02.2026;7;N\xc3\xbcrnberg\n")
    with prepare_import(mixed) as prepared:
        r = prepared.result
        assert r.file.encoding == "utf-8"
        assert r.rejects[["row", "reason_code"]].values.tolist() == [[4, "invalid_encoding"]]
        assert r.preview["store"].tolist() == ["Fürth", "Nürnberg"]


def test_excel_sheet_with_csv_text_in_one_column(tmp_path):
    path = tmp_path / "pasted.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Kundennummer;Datum;Umsatz"])
    wb.active.append(["1;31.01.2026;5"])
    wb.save(path)
    with pytest.raises(ImportFileError, match="Text to Columns") as info:
        prepare_import(path)
    assert info.value.code == "one_column"


def test_mapping_table_for_an_editor(tmp_path):
    insp = inspect_file(german_erp(tmp_path))
    table = insp.mapping_table()
    assert list(table["column"]) == ["customer_id", "order_date", "revenue", "order_id", "product_id", "category",
                                     "quantity", "channel", "store", "margin"]
    row = table.set_index("column").loc["revenue"]
    assert row["header"] == "Umsatz (€)" and row["required"] and row["format"] == "decimal comma, thousands separator"
    assert pd.isna(table.set_index("column").loc["margin", "header"])
    changed = insp.options.with_changes(table="customers", mapping=None)
    assert changed.mapping == {} and changed.table == "customers"
    assert inspect_file(german_erp(tmp_path), changed).table == "customers"
