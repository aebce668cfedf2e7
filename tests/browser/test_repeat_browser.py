"""The repeat purchase page in a real Chromium on the hand-made workspace of
tests/queries/test_cohort_retention.py, period Jan-Apr 2026: hand-computed numbers in every tab, a click
on a heatmap cell lists its customers, no exception anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_until_idle
from tests.queries.test_cohort_retention import make_retention_workspace

pytestmark = pytest.mark.browser

PERIOD = "preset=custom&from=2026-01-01&to=2026-04-30&cmp=no_comparison"


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("repeat_browser") / "ws"
    make_retention_workspace(root)
    srv = Server(root)
    # The very first request of a fresh server runs in Streamlit's pages-folder mode and may answer a deep
    # link with "Page not found" (app/auth start-up, not this page): open the app once first.
    open_page(browser, srv.url).close()
    yield srv
    srv.stop()


def open_tab(page, index: int) -> None:
    page.locator('[data-testid="stTab"]').nth(index).click()
    page.wait_for_timeout(300)
    wait_until_idle(page)


def test_tabs_show_hand_computed_numbers(browser, server):
    page = open_page(browser, f"{server.url}/repeat-purchase?lang=en&{PERIOD}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    # 7 customers, A and C ordered at least twice (tests/queries/test_repeat_summary.py)
    cards = metric_cards(page, "Active customers", "Repeat purchase rate", "One-time buyer share",
                         "Orders per customer")
    assert cards["Active customers"] == "7" and cards["Repeat purchase rate"] == "28.6%"
    assert cards["One-time buyer share"] == "71.4%" and cards["Orders per customer"] == "1.71"

    open_tab(page, 1)  # gaps 15 18 21 26 28 51: median 23.5 days; 2 of 6 new customers came back
    assert_no_exception(page)
    cards = metric_cards(page, "Median inter-purchase time", "Repeat purchases (gaps)",
                         "New customers with a second order")
    assert cards["Median inter-purchase time"] == "23.5 days" and cards["Repeat purchases (gaps)"] == "6"
    assert cards["New customers with a second order"] == "33.3%"

    # as of 30 Apr, thresholds 27 / 39 days (p75 27.5, p90 39.5 of the gaps above): G (20 days) active,
    # A (28) and F (30) at risk with 100 + 40 revenue, B, C (40), D, E inactive
    open_tab(page, 3)
    page.wait_for_selector('[data-testid="stMetric"]')
    assert_no_exception(page)
    cards = metric_cards(page, "Active", "At risk", "Inactive", "Revenue at risk")
    assert (cards["Active"], cards["At risk"], cards["Inactive"]) == ("1", "2", "4")
    assert cards["Revenue at risk"] == "€140"

    # the win-back list downloads as CSV with translated headers: A (28 days, 1 overdue) before F
    [popover] = [p for p in page.locator('[data-testid="stPopover"]').all() if p.is_visible()]
    popover.locator("button").first.click()
    csv_button = [b for b in page.locator('[data-testid="stDownloadButton"]').all() if b.is_visible()][0]
    with page.expect_download(timeout=60_000) as download:
        csv_button.locator("button").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Customer number,Segment,Region,Last order,Days since last order,Days overdue")
    assert lines[1:] == ["A,P,Nord,2026-04-02,28,1,4,100.0,100.0", "F,,,2026-03-31,30,3,1,40.0,40.0"]
    page.close()


def test_clicking_a_heatmap_cell_lists_its_customers(browser, server):
    page = open_page(browser, f"{server.url}/repeat-purchase?lang=de&{PERIOD}", wait_for='[data-testid="stMetric"]')
    open_tab(page, 2)
    heatmap = page.locator('[data-testid="stPlotlyChart"]').first
    heatmap.wait_for()
    assert_no_exception(page)
    # overlay markers follow the cells in order: (2026-01, k=0), (2026-01, k=1), ...
    cell = heatmap.locator(".scatterlayer .point").nth(1)
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.body.innerText.includes('1 von 2 Kunden der Kohorte 2026-01')",
                           timeout=60_000)
    wait_until_idle(page)
    assert_no_exception(page)
    # the customer list of that cell (the grid's accessible cells hold the raw values): only A came back in February, with one
    # order of 30 in the cell and 4 orders / 100 up to 30 Apr
    table = page.locator('[data-testid="stDataFrame"]').last
    cells = table.evaluate("e => Array.from(e.querySelectorAll('[role=gridcell], td')).map(c => c.textContent)")
    assert cells == ["A", "P", "Nord", "2026-01-05", "Filiale", "1", "30", "4", "100"], cells
    page.close()
