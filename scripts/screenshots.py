"""Take full-page screenshots of every page of a running app (for the README and visual checks).

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8501 docs/screenshots [--lang de] [--pages cockpit,data]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--no-first-run"]


def url_paths() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [entry[1] for entry in ast.literal_eval(node.value)]
    return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--lang", default="de")
    parser.add_argument("--pages", default="")
    parser.add_argument("--query", default="", help="extra URL parameters, e.g. preset=this_year")
    parser.add_argument("--wait", type=int, default=2500, help="ms to wait after the run finished")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    wanted = [("" if p == "cockpit" else p) for p in args.pages.split(",") if p] or url_paths()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for path in wanted:
            url = f"{args.base_url}/{path}?lang={args.lang}" + (f"&{args.query}" if args.query else "")
            page.goto(url)
            page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=60_000)
            page.wait_for_timeout(1500)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
            page.wait_for_timeout(args.wait)
            errors = page.locator('[data-testid="stException"]').count()
            target = args.out_dir / f"{path or 'cockpit'}-{args.lang}.png"
            page.screenshot(path=str(target), full_page=True)
            print(f"{target} exceptions={errors}")
        browser.close()


if __name__ == "__main__":
    main()
