"""Load: 20 people at once on one server started with `python -m loyalty serve`.

Each session is a browser context of one Chromium (asyncio; the machine has 2 cores): it logs in
(viewers, analysts and admins), then opens every page through the sidebar navigation the way a person
clicks through. The test fails on any exception or error message in any page, and reports the page
render times (p50/p95: from the click until the page has finished running and nothing is stale) and
the server's peak memory (VmHWM of the server process). Bounded: every wait has a timeout, the whole
test has one.

Sizes can be changed for a bigger run: LOYALTY_LOAD_SESSIONS (20), LOYALTY_LOAD_CUSTOMERS (5000 demo
customers).
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from loyalty.auth import UserStore
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = int(os.environ.get("LOYALTY_LOAD_SESSIONS", "20"))
CUSTOMERS = int(os.environ.get("LOYALTY_LOAD_CUSTOMERS", "5000"))
PAGE_TIMEOUT_MS = 180_000
TEST_TIMEOUT_S = 1500
ROLES = ("viewer", "analyst", "admin")

IDLE = """(previousTitle) => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return false;
    const title = main.querySelector('h1');
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const running = status && /Running|Läuft/.test(status.innerText);
    const stale = document.querySelector('[data-stale="true"]');
    return !!title && title.innerText !== previousTitle && !running && !stale;
}"""


def app_pages() -> list[tuple[str, str]]:
    """(file, url path) of every page, from app.py's PAGES."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [(entry[0], entry[1]) for entry in ast.literal_eval(node.value)]
    raise AssertionError("app.py defines no PAGES")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from loyalty.demo import generate
    from loyalty.store import Workspace

    tmp = tmp_path_factory.mktemp("load")
    root = tmp / "ws"
    generate(Workspace(root), customers=CUSTOMERS, seed=7)
    users = tmp / "users.json"
    store = UserStore(users)
    for role in ROLES:
        store.add(f"load-{role}", role, f"load-{role}-password")
    port = free_port()
    log = open(tmp / "server.log", "w")
    env = {**os.environ, "LOYALTY_AUTO_DEMO": "0"}
    env.pop("LOYALTY_REQUIRE_LOGIN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "loyalty", "serve", "--workspace", str(root), "--port", str(port),
         "--users-file", str(users)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError((tmp / "server.log").read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)
    yield url, process, tmp
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


async def _problems(page) -> list[str]:
    found = [f"exception: {t[:200]}" for t in await page.locator('[data-testid="stException"]').all_inner_texts()]
    errors = page.locator('[data-testid="stAlertContentError"]')
    found += [f"error message: {t[:200]}" for t in await errors.all_inner_texts()]
    return found


async def _session(browser, url: str, index: int, pages: list[tuple[str, str]], shots: Path) -> dict:
    role = ROLES[index % len(ROLES)]
    lang = "de" if index % 2 else "en"
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(f"javascript: {exc}"))
    result = {"session": index, "role": role, "timings": {}, "problems": []}
    try:
        await page.goto(f"{url}/?lang={lang}")
        await page.wait_for_selector("input[type=password]")
        if await page.locator('[data-testid="stSidebarNav"]').count():
            result["problems"].append("the login screen lists the pages")
        await page.locator("input[autocomplete=username]").fill(f"load-{role}")
        await page.locator("input[type=password]").fill(f"load-{role}-password")
        started = time.perf_counter()
        await page.keyboard.press("Enter")
        await page.wait_for_selector('[data-testid="stSidebarNav"]')
        await page.wait_for_function(IDLE, arg="")
        result["login_s"] = time.perf_counter() - started
        result["problems"] += await _problems(page)
        # the login lands on the default (first) page: visit the others, then come back to it
        for _, url_path in pages[1:] + pages[:1]:
            links = page.locator('[data-testid="stSidebarNav"] a')
            # the default page's link is the app's root URL; it comes first, like in PAGES
            link = links.first if url_path == pages[0][1] else links.and_(page.locator(f'a[href$="/{url_path}"]'))
            title = await page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()
            started = time.perf_counter()
            await link.click()
            # done when the new page's title is there, the run has finished and nothing is stale
            await page.wait_for_function(IDLE, arg=title)
            result["timings"][url_path] = time.perf_counter() - started
            result["problems"] += [f"{url_path}: {p}" for p in await _problems(page)]
    except Exception as exc:  # noqa: BLE001 - a failed session is a result to report, not a crash
        where = f"after {list(result['timings'])[-1]}" if result["timings"] else "at the login"
        details = " | ".join(line.strip() for line in str(exc).splitlines()[:6])
        result["problems"].append(f"{where}: {type(exc).__name__}: {details}")
        await page.screenshot(path=str(shots / f"session-{index}.png"), full_page=True)
    finally:
        result["problems"] += js_errors
        await context.close()
    return result


async def _drive(url: str, sessions: int, pages: list[tuple[str, str]], shots: Path) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(_session(browser, url, i, pages, shots) for i in range(sessions)))
        finally:
            await browser.close()


def run_sessions(url: str, sessions: int, pages: list[tuple[str, str]], shots: Path) -> list[dict]:
    """Run the asyncio driver in its own thread (no event loop of another Playwright in the way)."""
    box: dict = {}

    def target():
        try:
            box["results"] = asyncio.run(_drive(url, sessions, pages, shots))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TEST_TIMEOUT_S - 60)
    if thread.is_alive():
        pytest.fail(f"the load run did not finish within {TEST_TIMEOUT_S - 60} s")
    if "error" in box:
        raise box["error"]
    return box["results"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@pytest.mark.timeout(TEST_TIMEOUT_S)
def test_twenty_concurrent_sessions_open_every_page_without_errors(served):
    url, process, tmp = served
    pages = app_pages()
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    started = time.perf_counter()
    results = run_sessions(url, SESSIONS, pages, tmp)  # screenshots of failed sessions go next to the log
    wall = time.perf_counter() - started

    timings = [t for r in results for t in r["timings"].values()]
    per_page = {p: [r["timings"][p] for r in results if p in r["timings"]] for _, p in pages}
    report = {
        "sessions": SESSIONS, "customers": CUSTOMERS, "pages": len(pages), "wall_s": round(wall, 1),
        "page_renders": len(timings),
        "p50_s": round(statistics.median(timings), 2) if timings else None,
        "p95_s": round(percentile(timings, 0.95), 2) if timings else None,
        "login_p50_s": round(statistics.median([r["login_s"] for r in results if "login_s" in r] or [0]), 2),
        "per_page_p50_s": {p: round(statistics.median(v), 2) for p, v in per_page.items() if v},
        "server_peak_mb": round(peak_memory_mb(process.pid), 1),
        "problems": [f"session {r['session']} ({r['role']}): {p}" for r in results for p in r["problems"]],
    }
    (tmp / "load-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\nload report:", json.dumps(report, indent=2))

    assert report["problems"] == []
    assert len(timings) == SESSIONS * len(pages)  # every session opened every page
    assert process.poll() is None  # the server survived
