"""`python -m loyalty import`: exit codes, the one-line summary, reasons with row numbers, flags."""

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from loyalty.cli import main
from tests.conftest import FIXTURE_TRANSACTIONS, ROOT, make_workspace


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture()
def cli(capsys):
    """Run `python -m loyalty import ...` in this process (fast); one test below runs the real module."""
    def run(*args) -> Run:
        capsys.readouterr()
        code = main(["import", *map(str, args)])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)
    return run


def test_module_entry_point(tmp_path):
    path = tmp_path / "erp.csv"
    path.write_bytes(("\r\n".join(GOOD) + "\r\n").encode("cp1252"))
    cmd = [sys.executable, "-m", "loyalty", "import", "--workspace", str(tmp_path / "new-ws"), str(path)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "transactions (chosen from the headers): 2 rows read, 2 imported, 0 rejected, " \
                         "0 duplicates skipped\n"


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def ws(tmp_path):
    return make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS)


def write(path: Path, lines: list[str], encoding="cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


GOOD = ["Kundennummer;Belegdatum;Beleg-Nr.;Umsatz (€);Filiale",
        "1001;31.01.2026;B-1;1.234,56 €;Nürnberg",
        "1002;01.02.2026;B-2;-12,50 €;Fürth"]
BAD = ["Kundennummer;Belegdatum;Umsatz",
       "1001;31.01.2026;10,00",
       "1002;31.02.2026;20,00",
       "1003;01.02.2026;viel",
       "1004;02.02.2026;5,00"]


def test_import_prints_one_line_summary(tmp_path, ws, cli):
    out = cli("--workspace", ws.root, "--table", "transactions", write(tmp_path / "erp.csv", GOOD))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "transactions: 2 rows read, 2 imported, 0 rejected, 0 duplicates skipped"
    assert "cp1252" in out.stderr and "Umsatz (€) -> revenue (decimal comma" in out.stderr
    assert ws.snapshot().tables["transactions"].rows == 2


def test_table_is_chosen_from_the_headers(tmp_path, ws, cli):
    out = cli("--workspace", ws.root, write(tmp_path / "erp.csv", GOOD))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("transactions (chosen from the headers): 2 rows read, 2 imported")


def test_bad_rows_import_nothing_and_name_the_rows(tmp_path, ws, cli):
    before = tree_hashes(ws.root)
    out = cli("--workspace", ws.root, write(tmp_path / "bad.csv", BAD))
    assert out.returncode == 1 and out.stdout == ""
    assert "2 of 4 rows are invalid (rows 3, 4), so nothing was imported" in out.stderr
    assert "row 3, Belegdatum: not a valid date (31.02.2026)" in out.stderr
    assert "row 4, Umsatz: not a number (viel)" in out.stderr
    after = tree_hashes(ws.root)
    assert {k: v for k, v in after.items() if k != "changes.jsonl"} == \
           {k: v for k, v in before.items() if k != "changes.jsonl"}
    assert ws.changes(limit=1)[0]["action"] == "import_rejected"
    rejects = Path(out.stderr.split("all rejected rows: ")[1].strip())
    assert rejects.parent == ws.root.parent / "ws-rejects" and rejects.exists()


def test_accept_valid_imports_the_good_rows_and_writes_rejects_beside_the_workspace(tmp_path, ws, cli):
    out = cli("--workspace", ws.root, "--accept-valid", write(tmp_path / "bad.csv", BAD))
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.startswith("transactions (chosen from the headers): 4 rows read, 2 imported, 2 rejected (see ")
    assert line.endswith("), 0 duplicates skipped")
    rejects = Path(line.split("(see ")[1].split(")")[0])
    assert rejects.parent == ws.root.parent / "ws-rejects" and rejects.name.startswith("transactions-")
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[0] == "row,column,field,value,reason_code,reason"
    assert ws.snapshot().tables["transactions"].rows == 2


def test_append_reports_duplicates(tmp_path, ws, cli):
    path = write(tmp_path / "erp.csv", GOOD)
    assert cli("--workspace", ws.root, "--table", "transactions", path).returncode == 0
    out = cli("--workspace", ws.root, "--table", "transactions", "--mode", "append", path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "transactions: 2 rows read, 0 imported, 0 rejected, 2 duplicates skipped"


def test_ambiguous_dates_ask_for_a_format(tmp_path, ws, cli):
    path = tmp_path / "us.csv"
    path.write_text("customer_id,order_date,revenue\nA,01/02/2026,5\nB,03/04/2026,6\n", encoding="utf-8")
    before = tree_hashes(ws.root)
    out = cli("--workspace", ws.root, path)
    assert out.returncode == 2 and tree_hashes(ws.root) == before
    assert "column 'order_date'" in out.stderr and "--date-format 'order_date=%d/%m/%Y'" in out.stderr
    assert "--date-format 'order_date=%m/%d/%Y'" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = cli("--workspace", ws.root, "--date-format", "order_date=%m/%d/%Y", path)
    assert out.returncode == 0, out.stderr
    out = cli("--workspace", ws.root, "--date-format", "dd/mm/yyyy", "--mode", "append", path)  # global format
    assert out.returncode == 0 and "2 imported" in out.stdout


def test_map_and_missing_column(tmp_path, ws, cli):
    path = write(tmp_path / "k.csv", ["Kundennummer;Datum;Netto;Brutto", "1;01.01.2026;10,00;11,90"])
    out = cli("--workspace", ws.root, "--table", "transactions", "--map", "revenue=Brutto", path)
    assert out.returncode == 0, out.stderr
    assert ws.snapshot().tables["transactions"].rows == 1
    path = write(tmp_path / "m.csv", ["Kundennummer;Datum", "1;01.01.2026"])
    before = tree_hashes(ws.root)
    out = cli("--workspace", ws.root, "--table", "transactions", path)
    assert out.returncode == 2 and tree_hashes(ws.root) == before
    assert out.stderr.startswith("error: The file has no column for 'revenue'")
    assert "'Kundennummer', 'Datum'" in out.stderr and "(--map revenue=HEADER)" in out.stderr


def test_unreadable_files_exit_2_with_one_line(tmp_path, ws, cli):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 100)
    for path, words in ((empty, "is empty"), (junk, "binary data"), (tmp_path / "nope.csv", "does not exist")):
        before = tree_hashes(ws.root)
        out = cli("--workspace", ws.root, path)
        assert out.returncode == 2 and words in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and tree_hashes(ws.root) == before
    out = cli("--workspace", ws.root, "--delimiter", ",", write(tmp_path / "erp.csv", GOOD))
    assert out.returncode == 2 and "separated by ';'" in out.stderr
    out = cli("--workspace", ws.root, "--decimal", "x", write(tmp_path / "erp.csv", GOOD))
    assert out.returncode == 2 and "--decimal must be ',' or '.'" in out.stderr


def test_dry_run_and_options(tmp_path, ws, cli):
    before = tree_hashes(ws.root)
    path = tmp_path / "shop.tsv"
    path.write_text("Customer\tDate\tAmount\nA\t2026-01-31\t1.234\n", encoding="utf-8")
    out = cli("--workspace", ws.root, "--dry-run", path)
    assert out.returncode == 2 and "--decimal 'Amount=,' or --decimal 'Amount=.'" in out.stderr
    out = cli("--workspace", ws.root, "--dry-run", "--decimal", "Amount=,", "--delimiter", "tab", path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("transactions (chosen from the headers): 1 rows read, 1 valid, 0 rejected "
                                  "(checked, not imported yet)")
    assert tree_hashes(ws.root) == before
