"""The customer value page in a real Chromium: hand-computed ABC numbers, every tab without an exception, the
clear message when there is too little data for the CLV model, and the fitted model on demo data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_for_text, wait_until_idle
from tests.conftest import make_workspace
from tests.queries.test_abc_classes import CUSTOMERS, TRANSACTIONS

pytestmark = pytest.mark.browser

PERIOD = "preset=custom&from=2026-01-01&to=2026-03-31"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("value_browser") / "ws"
    make_workspace(root, transactions=TRANSACTIONS, customers=CUSTOMERS)
    srv = Server(root)
    yield srv
    srv.stop()


def open_value_page(browser, url: str):
    """Open the page; on a fresh server Streamlit's first run of a deep link can show a "Page not found"
    notice over the page and lose the URL's language (pages-folder mode until app.py's first
    st.navigation, see components/auth.py), so then open it once more."""
    page = open_page(browser, url, wait_for='[data-testid="stMetric"]')
    if page.locator('[role="dialog"]').count():
        page.close()
        page = open_page(browser, url, wait_for='[data-testid="stMetric"]')
    return page


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(500)
    wait_until_idle(page)


def test_abc_tab_shows_hand_computed_shares(browser, server):
    page = open_value_page(browser, f"{server.url}/customer-value?lang=en&{PERIOD}")
    assert_no_exception(page)
    # tests/queries/test_abc_classes.py: A = P, Q with revenue 80 of 95; B = R, S 16; C = T, U -1
    shown = metric_cards(page, "Class A: share of revenue", "Class B: share of revenue",
                         "Class C: share of revenue")
    assert shown["Class A: share of revenue"] == "84.2%"
    assert shown["Class B: share of revenue"] == "16.8%"
    assert shown["Class C: share of revenue"] == "-1.1%"
    wait_for_text(page, "2 customers (33.3% of customers)")
    assert page.get_by_text("2 customers (33.3% of customers)").count() == 3
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    page.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_rfm_and_clv_tabs_open_without_exception(browser, server, lang):
    page = open_value_page(browser, f"{server.url}/customer-value?lang={lang}&{PERIOD}")
    open_tab(page, "RFM")
    assert_no_exception(page)
    page.locator('[data-testid="stPlotlyChart"]:visible').first.wait_for()
    open_tab(page, "CLV")
    assert_no_exception(page)
    # Data 2025-12-31 .. 2026-03-04: the default calibration end is the middle, 2026-01-31; up to then only
    # V (12-31), P (01-10) and Q (01-15) bought (U's day is only a return) -> 3 customers, 50 needed
    message = {"en": "Too few customers for the customer value model: 3 customers bought up to the calibration end",
               "de": "Zu wenige Kunden für das Kundenwertmodell: 3 Kunden haben bis zum Kalibrierungsende gekauft"}
    page.get_by_text(message[lang]).wait_for(timeout=60_000)
    page.close()


@pytest.mark.slow
def test_clv_tab_fits_the_model_on_demo_data(browser, tmp_path_factory):
    from loyalty.demo import generate
    from loyalty.store import Workspace

    root = tmp_path_factory.mktemp("value_demo") / "ws"
    generate(Workspace(root), customers=400, seed=7, years=3, end_date=dt.date(2026, 9, 30))
    srv = Server(root)
    try:
        page = open_value_page(browser, f"{srv.url}/customer-value?lang=en")
        open_tab(page, "CLV")
        page.get_by_text("Check: how well does the model predict?").wait_for(timeout=120_000)
        assert_no_exception(page)
        shown = metric_cards(page, "Value, next 12 months", "Avg. P(alive)")
        assert shown["Value, next 12 months"].startswith("€") and shown["Avg. P(alive)"].endswith("%")
        assert page.get_by_text("In the holdout period 2025-10-01 – 2026-09-30").count() == 1
        assert page.locator('[data-testid="stPlotlyChart"]:visible').count() == 3  # tracking, by frequency, by segment
        page.close()
    finally:
        srv.stop()
