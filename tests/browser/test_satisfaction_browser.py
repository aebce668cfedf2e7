"""The satisfaction and complaint pages in a real Chromium on the survey workspace of
tests/queries/test_survey_fixture.py, period Q1 2026: hand-computed numbers on the cards, every tab opens
without an exception, in English and German."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, assert_no_exception, metric_cards, open_page, wait_for_text, wait_until_idle
from tests.queries.test_survey_fixture import build_survey_workspace

pytestmark = pytest.mark.browser

PERIOD = "preset=custom&from=2026-01-01&to=2026-03-31&cmp=no_comparison"


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("satisfaction_browser") / "ws"
    build_survey_workspace(root)
    srv = Server(root)
    # the first request of a fresh server may run in Streamlit's pages-folder mode: open the app once first
    open_page(browser, srv.url).close()
    yield srv
    srv.stop()


def open_tab(page, index: int) -> None:
    page.locator('[data-testid="stTab"]').nth(index).click()
    page.wait_for_timeout(300)
    wait_until_idle(page)
    assert_no_exception(page)


def test_satisfaction_cards_and_tabs_in_english(browser, server):
    page = open_page(browser, f"{server.url}/satisfaction?lang=en&{PERIOD}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    cards = metric_cards(page, "NPS", "CSAT avg. (1–5)", "CSAT top-2-box", "Answers")
    # 7 nps answers: 2 promoters, 3 detractors -> -14.3; 7 csat answers sum 23 -> 3.29, 4 of 7 top-2-box;
    # 8 answers from 5 active customers (tests/queries/test_nps_by_group.py, test_csat_by_group.py)
    assert cards["NPS"] == "-14"
    assert cards["CSAT avg. (1–5)"] == "3.29"
    assert cards["CSAT top-2-box"] == "57.1%"
    assert cards["Answers"] == "8"
    assert "response rate 160.0%" in page.locator('[data-testid="stMetric"]').nth(3).inner_text()
    # every group has fewer than 30 answers: none is ranked, each carries the note
    assert page.get_by_text("Split by").count() == 1
    page.wait_for_selector('[data-testid="stPlotlyChart"]')

    open_tab(page, 1)  # over time
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    open_tab(page, 2)  # closed loop: B was called 5 days after the answer, D not within 7 days
    cards = metric_cards(page, "Detractor answers (with customer number)", "Contacted within 7 days",
                         "Without contact")
    assert cards["Detractor answers (with customer number)"] == "2"
    assert cards["Contacted within 7 days"] == "50.0%"
    assert cards["Without contact"] == "1"
    open_tab(page, 3)  # chain of effects: no answer has 12 months of follow-up in this workspace
    wait_for_text(page, "No answer has 12 following months in the data yet.")
    open_tab(page, 4)  # word of mouth: the workspace has no acquisition data
    wait_for_text(page, "New customers won by recommendation")
    page.close()


def test_satisfaction_in_german_with_lower_minimum(browser, server):
    page = open_page(browser, f"{server.url}/satisfaction?lang=de&{PERIOD}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    cards = metric_cards(page, "NPS", "CSAT Ø (1–5)", "CSAT Top-2-Box")
    assert cards["NPS"] == "-14" and cards["CSAT Ø (1–5)"] == "3,29" and cards["CSAT Top-2-Box"] == "57,1 %"
    open_tab(page, 1)  # months with 2, 2 and 3 nps answers: all below the default minimum of 30
    page.wait_for_selector('[data-testid="stPlotlyChart"]')
    small = page.locator('[data-testid="stPlotlyChart"] .legend').first.get_by_text("zu wenige Antworten")
    assert small.count() == 1
    field = page.get_by_label("Mindestzahl Antworten je Gruppe", exact=True)
    field.fill("2")
    field.press("Enter")
    wait_until_idle(page)
    assert_no_exception(page)
    assert small.count() == 0  # every month now has enough answers
    page.close()


def test_complaint_cards_in_english_and_german(browser, server):
    page = open_page(browser, f"{server.url}/complaints?lang=en&{PERIOD}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    cards = metric_cards(page, "Contacts", "Complaints", "Complaints per 1,000", "Open complaints",
                         "Median days to resolve", "Resolved within 7 days")
    # Q1 contacts: B complaint 01-15 resolved 01-16 (1 day), B inquiry 01-25, D complaint 03-12 open;
    # active customers A B C D F = 5 -> 2 complaints per 5 customers = 400 per 1,000
    assert cards["Contacts"] == "3" and cards["Complaints"] == "2"
    assert cards["Complaints per 1,000"] == "400.0"
    assert cards["Open complaints"] == "1"
    assert cards["Median days to resolve"] == "1.0"
    # in time: B's within 1 day; D's open complaint is not due yet (deadline 03-19 is after the as-of date
    # 03-12, the latest date in the contacts) -> 1 of 1
    assert cards["Resolved within 7 days"] == "100.0%"
    for index in range(1, 4):
        open_tab(page, index)
    page.close()

    page = open_page(browser, f"{server.url}/complaints?lang=de&{PERIOD}", wait_for='[data-testid="stMetric"]')
    assert_no_exception(page)
    cards = metric_cards(page, "Kontakte", "Beschwerden je 1.000")
    assert cards["Kontakte"] == "3" and cards["Beschwerden je 1.000"] == "400,0"
    open_tab(page, 3)
    page.close()
