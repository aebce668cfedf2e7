"""The Data page in a real browser: upload a German export, check it, import the valid rows, and the cockpit
shows the imported numbers (hand calculation in tests/app/test_data_page.py's docstring)."""

from __future__ import annotations

import pytest

from tests.app.test_data_page import GERMAN_CSV
from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_until_idle
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, make_workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("upload_browser")
    root = tmp_path / "ws"
    make_workspace(root, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    srv = Server(root)
    yield srv, tmp_path
    srv.stop()


def test_upload_check_import_and_the_cockpit_shows_the_new_numbers(browser, server):
    srv, tmp_path = server
    export = tmp_path / "Umsatz Januar.csv"
    export.write_bytes(GERMAN_CSV)
    # A fresh `streamlit run` serves its first session in the pages-folder mode (components/auth.py), and the
    # first rerun of that session gets other widget ids (the language resets): upload in a second session.
    open_page(browser, f"{srv.url}/?lang=de").close()

    page = open_page(browser, f"{srv.url}/data?lang=de", wait_for='[data-testid="stFileUploader"]')
    assert_no_exception(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(export))
    page.get_by_text("Was soll mit den ungültigen Zeilen geschehen?").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert_no_exception(page)
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Gelesen als CSV-Datei, Trennzeichen Semikolon (;), Kodierung Windows-1252" in body
    assert "1 von 5 Zeilen sind ungültig" in body
    assert metric_cards(page, "Zeilen gelesen", "Gültige Zeilen", "Ungültige Zeilen") == {"Zeilen gelesen": "5", "Gültige Zeilen": "4", "Ungültige Zeilen": "1"}
    import_button = page.get_by_role("button", name="4 Zeilen in „Transaktionen“ importieren")
    assert import_button.is_disabled()  # not before the user decided about the invalid row

    page.get_by_text("Die 4 gültigen Zeilen importieren, die ungültigen weglassen").click()
    wait_until_idle(page)
    import_button.click()
    page.get_by_text("„Umsatz Januar.csv“ importiert: 4 Zeilen in „Transaktionen“ gespeichert").wait_for(
        timeout=60_000)
    wait_until_idle(page)
    assert_no_exception(page)
    page.close()

    cockpit = open_page(browser, f"{srv.url}/?lang=de&preset=all_data", wait_for='[data-testid="stMetric"]')
    assert_no_exception(cockpit)
    values = metric_cards(cockpit, "Aktive Kunden", "Bestellungen", "Umsatz", "Ø Bestellwert")
    # 3 orders of 2 customers, revenue 1,250 + 99 + 50 = 1,399 €, 1,399 / 3 = 466.33 € per order
    assert (values["Aktive Kunden"], values["Bestellungen"], values["Umsatz"], values["Ø Bestellwert"]) == (
        "2", "3", "1.399 €", "466,33 €")
    cockpit.close()
