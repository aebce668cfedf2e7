"""Login in a real browser on a freshly started server (plain `streamlit run`, as ./run.sh starts it).

A fresh Streamlit process treats the pages/ folder as old-style pages until some run reaches
st.navigation; the very first request for a page URL must still get the login form, not the page.
"""

from __future__ import annotations

import pytest

from loyalty.auth import UserStore
from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_until_idle
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, make_workspace

pytestmark = pytest.mark.browser

PASSWORD = "vera-correct-horse"
CONTENT = '[data-testid="stMetric"], [data-testid="stDataFrame"], [data-testid="stPlotlyChart"], ' \
          '[data-testid="stFileUploader"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("auth_browser")
    root = tmp_path / "ws"
    make_workspace(root, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    users = tmp_path / "users.json"
    UserStore(users).add("vera", "viewer", PASSWORD, display_name="Vera Viewer")
    UserStore(users).add("anna", "admin", "anna-correct-horse")
    srv = Server(root, env={"LOYALTY_USERS_FILE": str(users)})
    yield srv
    srv.stop()


def log_in(page, name: str, password: str) -> None:
    page.locator("input[autocomplete=username]").fill(name)
    page.locator("input[type=password]").fill(password)
    page.keyboard.press("Enter")


def test_first_request_after_the_start_gets_the_login_and_then_the_page(browser, server):
    # runs first in this module: the first request after the start, straight to a page with filters
    page = open_page(browser, f"{server.url}/?lang=en&preset=custom&from=2026-01-01&to=2026-03-31",
                     wait_for="input[type=password]")
    assert_no_exception(page)
    assert page.locator(CONTENT).count() == 0  # no numbers before the login
    # no list of pages either (Streamlit's pages-folder mode would list the files of pages/)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert "Log in" in page.locator("h1, h3").all_inner_texts()

    log_in(page, "vera", "wrong-password")
    page.wait_for_selector('[data-testid="stAlert"]')
    assert "The user name or password is wrong." in page.locator('[data-testid="stAlert"]').inner_text()

    log_in(page, "vera", PASSWORD)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Cockpit"
    # the link's filters survived the login: 4 orders in Q1 2026 (tests/queries/test_kpis.py)
    metrics = metric_cards(page, "Orders")
    assert metrics["Orders"] == "4"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Logged in as Vera Viewer (Viewer)" in sidebar.inner_text()

    sidebar.get_by_role("button", name="Log out").click()
    page.wait_for_selector("input[type=password]", timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.close()


def test_every_page_url_asks_for_the_login(browser, server):
    for url_path in ("data", "measures", "customer-value"):
        page = open_page(browser, f"{server.url}/{url_path}?lang=de", wait_for="input[type=password]")
        assert page.locator(CONTENT).count() == 0, url_path
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, url_path
        page.close()


def test_a_shared_link_opens_its_page_after_the_login(browser, server):
    page = open_page(browser, f"{server.url}/customer-value?lang=en", wait_for="input[type=password]")
    log_in(page, "anna", "anna-correct-horse")
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    wait_until_idle(page)
    assert_no_exception(page)
    assert "/customer-value" in page.url
    assert "Logged in as anna (Admin)" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.close()
