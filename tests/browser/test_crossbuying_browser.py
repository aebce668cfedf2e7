"""The cross-buying page in a real Chromium on the hand-made workspace of
tests/queries/test_crossbuying_fixture.py: the hand-computed numbers are visible in every tab, no exception."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_for_text, wait_until_idle
from tests.conftest import d, make_workspace
from tests.queries.test_crossbuying_fixture import build_crossbuying_workspace

pytestmark = pytest.mark.browser

Q1 = "preset=custom&from=2026-01-01&to=2026-03-31"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("crossbuying_browser") / "ws"
    build_crossbuying_workspace(root)
    srv = Server(root)
    yield srv
    srv.stop()


def open_crossbuying(browser, server, lang: str):
    page = open_page(browser, f"{server.url}/cross-buying?lang={lang}&{Q1}", wait_for='[data-testid="stMetric"]')
    if page.locator('[role="dialog"]').count():  # a fresh server may greet the first session with a notice
        page.close()
        page = open_page(browser, f"{server.url}/cross-buying?lang={lang}&{Q1}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    return page


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)
    wait_until_idle(page)
    assert_no_exception(page)


def test_hand_computed_numbers_in_every_tab(browser, server):
    page = open_crossbuying(browser, server, "en")
    # 6 category buyers (P..U), R and S with 2+ categories, (1 + 1 + 3 + 2 + 1 + 1) / 6 categories each
    shown = metric_cards(page, "Cross-buying rate", "Avg. categories per customer", "Category buyers",
                         "Cross-buyers (2+ categ.)")
    assert shown["Cross-buying rate"] == "33.3%"
    assert shown["Avg. categories per customer"] == "1.50"
    assert shown["Category buyers"] == "6"
    assert shown["Cross-buyers (2+ categ.)"] == "2"
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    wait_for_text(page, "1 of the 7 active customers have no counted category")  # V

    open_tab(page, "Category affinity")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    # highest lift: Dünger -> Grill, both bought by R and S: confidence 2/2, lift 1 / (2/6) = 3
    wait_for_text(page, "of the customers who bought Dünger, 100% also bought Grill – 3.00 times")

    open_tab(page, "Category migration")
    # entry Garten (default: most new customers): P, Q, R; P and R bought again later
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    wait_for_text(page, "3 new customers bought Garten on their first purchase day; 2 (67%)")

    open_tab(page, "Next best category")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    # S -> Garten (1/2 x 130/3), P and Q -> Dünger (1/3 x 17.5 each): 21.67 + 5.83 + 5.83 = 33.33
    wait_for_text(page, "3 customers with a recommendation; expected value in total €33.")
    page.close()


def test_german_page_formats_numbers_in_german(browser, server):
    page = open_crossbuying(browser, server, "de")
    shown = metric_cards(page, "Cross-Buying-Rate", "Ø Warengruppen je Kunde")
    assert shown["Cross-Buying-Rate"] == "33,3 %"
    assert shown["Ø Warengruppen je Kunde"] == "1,50"
    page.close()


def test_without_category_the_page_explains_the_import(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("crossbuying_browser_nocat") / "ws"
    make_workspace(root, transactions=[dict(customer_id="A", order_date=d("2026-01-05"), revenue=10.0,
                                            product_id="X1")])
    srv = Server(root)
    try:
        page = open_page(browser, f"{srv.url}/cross-buying?lang=en", wait_for='[data-testid="stAlert"]')
        if page.locator('[role="dialog"]').count():
            page.close()
            page = open_page(browser, f"{srv.url}/cross-buying?lang=en", wait_for='[data-testid="stAlert"]')
        assert_no_exception(page)
        wait_for_text(page, "the column “category” is empty")
        text = page.inner_text("body")
        assert "the column “category” is empty" in text and "Warengruppe" in text and "product_id" in text
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
        page.close()
    finally:
        srv.stop()
