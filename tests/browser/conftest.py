"""Real-browser fixtures: a Streamlit server on a free port and Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workspace: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "LOYALTY_WORKSPACE": str(workspace), "LOYALTY_AUTO_DEMO": "0", **(env or {})}
        self.log = open(Path(workspace).parent / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, wait_for: str | None = None, timeout: float = 60_000):
    """Open `url`, wait until Streamlit has rendered, fail on any exception element."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout)
    wait_until_idle(page, timeout)
    if wait_for:
        page.wait_for_selector(wait_for, timeout=timeout)
    return page


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script run finished (no running indicator) and the main block has content."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] [data-testid="stHeading"], '
                           '[data-testid="stMainBlockContainer"] [data-testid="stAlert"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.match(/Running|Läuft/)",
        timeout=timeout,
    )
    page.wait_for_timeout(500)


_VISIBLE_METRIC_LABELS = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
    .filter(m => m.offsetParent !== null)
    .map(m => { const label = m.querySelector('[data-testid="stMetricLabel"]'); return label ? label.innerText.trim() : ''; })"""
_METRIC_LABELS_SHOWN = f"""labels => {{ const shown = ({_VISIBLE_METRIC_LABELS})(); return labels.every(l => shown.includes(l)); }}"""


def metric_cards(page, *labels: str, timeout: float = 60_000) -> dict[str, str]:
    """The visible metric cards as {label: value}, after waiting until every one of `labels` is shown.

    An idle status widget is not enough on a loaded machine: the rerun may not have started or drawn its
    cards yet, so wait for the cards the test is about. The first card of a label wins (hidden tabs keep
    theirs in the DOM)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if labels:
        try:
            page.wait_for_function(_METRIC_LABELS_SHOWN, arg=list(labels), timeout=timeout)
        except PlaywrightTimeout as error:  # name what was on screen instead of a bare timeout
            shown = page.evaluate(_VISIBLE_METRIC_LABELS)
            raise AssertionError(f"cards {labels} not shown; visible: {shown}") from error
    found: dict[str, str] = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        if metric.is_visible():
            label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
            found.setdefault(label, metric.locator('[data-testid="stMetricValue"]').inner_text().strip())
    return found


def wait_for_text(page, text: str, timeout: float = 60_000) -> None:
    """Wait until the page shows `text` (a tab's sentence is drawn after its charts and cards)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("text => document.body.innerText.includes(text)", arg=text, timeout=timeout)
    except PlaywrightTimeout as error:
        raise AssertionError(f"{text!r} not shown; the page says: {page.inner_text('body')[:2000]}") from error


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
