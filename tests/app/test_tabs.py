"""Every tab of every page runs on demo data without an exception or error message (AppTest).

Pages run only the open tab's queries, so the page smoke test alone would miss the other tabs; this test
opens each tab by setting the tab widget's state, the way a click does.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from loyalty.demo import generate
from loyalty.store import Workspace
from tests.app.app_pages import PAGE_FILES
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("tabs_demo")
    generate(Workspace(root), customers=1500, seed=11)
    return root


def open_page(monkeypatch, root, page: str, lang: str) -> AppTest:
    monkeypatch.setenv("LOYALTY_WORKSPACE", str(root))
    monkeypatch.setenv("LOYALTY_AUTO_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    if not page.endswith("/cockpit.py"):
        at.switch_page(page).run()
    return at


def problems(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", [p for p in PAGE_FILES if not p.endswith(("data.py", "report.py"))])
def test_every_tab_runs(monkeypatch, demo_root, page, lang):
    at = open_page(monkeypatch, demo_root, page, lang)
    assert not problems(at), problems(at)
    tab_groups = [(block.key, [tab.label for tab in block.children.values()]) for block in at.get("tab_container")]
    visited = 0
    for key, labels in tab_groups:
        if not key:
            continue  # tabs without a key run every tab's body on each run: already covered above
        for label in labels[1:]:
            at.session_state[key] = label
            at.run()
            visited += 1
            assert not problems(at), f"{page} tab {label!r}: {problems(at)}"
    assert visited == sum(len(labels) - 1 for key, labels in tab_groups if key)
