"""Every page runs under Streamlit's AppTest without an exception: on data, on an empty workspace,
in German and English."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.app_pages import PAGE_FILES
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, ROOT, make_workspace


def run_page(monkeypatch, workspace, page: str, lang: str = "de", auto_demo: str = "0") -> AppTest:
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(workspace))
    monkeypatch.setenv("LOYALTY_AUTO_DEMO", auto_demo)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    if page != "app_pages/cockpit.py":
        at.switch_page(page).run()
    return at


@pytest.fixture(scope="module")
def small_workspace(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("app_ws"), transactions=FIXTURE_TRANSACTIONS,
                          customers=FIXTURE_CUSTOMERS).root


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_page_runs_on_small_workspace(monkeypatch, small_workspace, page, lang):
    at = run_page(monkeypatch, small_workspace, page, lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_page_runs_on_empty_workspace(monkeypatch, tmp_path, page):
    at = run_page(monkeypatch, tmp_path, page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_each_run_reads_its_own_workspace(monkeypatch, small_workspace, tmp_path):
    """Settings are read per run, not frozen at import: the same process serves another workspace."""
    at = run_page(monkeypatch, small_workspace, "app_pages/cockpit.py", "en")
    assert at.metric, "the cockpit shows KPI cards on data"
    at = run_page(monkeypatch, tmp_path, "app_pages/cockpit.py", "en")
    assert not at.metric
    assert any("transactions" in info.value for info in at.info)
